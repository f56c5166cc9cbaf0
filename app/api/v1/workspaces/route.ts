import { route } from "@/lib/api/handler";
import { createWorkspace, listWorkspaces } from "@/lib/workspaces/workspaces";
import { createWorkspaceContract, listWorkspacesContract } from "./contract";

// GET /api/v1/workspaces — yours, and which one this request acts in
export const GET = route(listWorkspacesContract, async ({ caller }) => ({ status: 200, body: { data: await listWorkspaces(caller) } }));

// POST /api/v1/workspaces — a new workspace you own
export const POST = route(createWorkspaceContract, async ({ caller, body }) => ({ status: 201, body: await createWorkspace(caller, body.name) }));
