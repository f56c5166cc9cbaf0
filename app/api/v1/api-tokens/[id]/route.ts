import { route } from "@/lib/api/handler";
import { revokeApiToken } from "@/lib/auth/api-tokens";
import { revokeApiTokenContract } from "./contract";

// DELETE /api/v1/api-tokens/{id} — revoke one of your tokens
export const DELETE = route(revokeApiTokenContract, async ({ caller, params }) => {
  await revokeApiToken({ userId: caller.userId, workspaceId: caller.workspaceId, id: params.id });
  return { status: 204 };
});
