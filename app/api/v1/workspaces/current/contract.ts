import { defineContract } from "@/lib/api/contract";
import { switchWorkspaceSchema } from "@/lib/workspaces/workspaces";

export const switchWorkspaceContract = defineContract({
  method: "PUT",
  path: "/api/v1/workspaces/current",
  operationId: "switchWorkspace",
  tag: "Workspaces",
  summary: "Switch the browser session to another of your workspaces",
  description: "For sessions only: an API token acts in the workspace it was made in (403).",
  auth: "caller",
  body: switchWorkspaceSchema,
  responses: { 204: { description: "Switched: the session's next request acts in that workspace" } },
  errors: ["not_found"],
});
