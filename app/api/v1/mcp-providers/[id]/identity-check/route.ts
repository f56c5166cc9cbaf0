import { route } from "@/lib/api/handler";
import { checkIdentity } from "@/lib/credentials/preflight";
import { checkIdentityContract } from "./contract";

// POST /api/v1/mcp-providers/{id}/identity-check — Check as me: the claims the next call would carry, or why it can't be had
export const POST = route(checkIdentityContract, async ({ caller, params, body }) => ({
  status: 200,
  body: await checkIdentity({ workspaceId: caller.workspaceId, id: params.id, caller, userId: body.user_id }),
}));
