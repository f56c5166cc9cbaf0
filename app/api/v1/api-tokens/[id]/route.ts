import { withWorkspace } from "@/lib/api/handler";
import { apiTokenIdSchema, revokeApiToken } from "@/lib/auth/api-tokens";

// DELETE /api/v1/api-tokens/{id} — revoke one of your tokens
export const DELETE = withWorkspace({ params: apiTokenIdSchema }, async ({ caller, params }) => {
  await revokeApiToken({ userId: caller.userId, workspaceId: caller.workspaceId, id: params.id });
  return new Response(null, { status: 204 });
});
