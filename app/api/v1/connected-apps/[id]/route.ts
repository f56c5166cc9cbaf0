import { route } from "@/lib/api/handler";
import { revokeConnectedApp } from "@/lib/oauth/connected-apps";
import { revokeConnectedAppContract } from "./contract";

// DELETE /api/v1/connected-apps/{id} — revoke an app: its next call is refused
export const DELETE = route(revokeConnectedAppContract, async ({ caller, params }) => {
  await revokeConnectedApp(caller, params.id);
  return { status: 204 };
});
