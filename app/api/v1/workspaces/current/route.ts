import { route } from "@/lib/api/handler";
import { switchWorkspace } from "@/lib/workspaces/workspaces";
import { switchWorkspaceContract } from "./contract";

// PUT /api/v1/workspaces/current — the session's workspace
export const PUT = route(switchWorkspaceContract, async ({ caller, body }) => {
  await switchWorkspace(caller, body.workspace_id);
  return { status: 204 };
});
