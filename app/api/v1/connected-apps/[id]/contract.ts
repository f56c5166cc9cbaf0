import { defineContract } from "@/lib/api/contract";
import { connectedAppIdSchema } from "@/lib/oauth/connected-apps";

export const revokeConnectedAppContract = defineContract({
  method: "DELETE",
  path: "/api/v1/connected-apps/{id}",
  operationId: "revokeConnectedApp",
  tag: "Connected apps",
  summary: "Revoke a connected app",
  description: "Ends the app's grant and every token it holds, on every instance: its next call gets 401. Members revoke their own apps; owners and admins anyone's in the workspace.",
  auth: "caller",
  params: connectedAppIdSchema,
  responses: { 204: { description: "Revoked" } },
  errors: [],
});
