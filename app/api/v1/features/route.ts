import { route } from "@/lib/api/handler";
import { featuresFor } from "@/lib/features";
import { featuresContract } from "./contract";

// GET /api/v1/features — what this deployment offers, so the UI shows only that
export const GET = route(featuresContract, ({ caller }) => ({ status: 200, body: featuresFor(caller) }));
