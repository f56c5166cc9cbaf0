import { route } from "@/lib/api/handler";
import { openApiDocument } from "@/lib/api/openapi";
import { env } from "@/lib/env";
import { openApiContract } from "./contract";

// GET /api/v1/openapi.json — the API's OpenAPI 3.1 document (public, so tools can fetch it)
export const GET = route(openApiContract, () => ({ status: 200, body: openApiDocument(env().NEXTAUTH_URL) }));
