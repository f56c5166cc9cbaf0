import { defineContract } from "@/lib/api/contract";
import { updateWorkspaceSettingsSchema, workspaceSettingsSchema } from "@/lib/workspaces/settings";

export const getWorkspaceSettingsContract = defineContract({
  method: "GET",
  path: "/api/v1/settings",
  operationId: "getWorkspaceSettings",
  tag: "Workspaces",
  summary: "The workspace's settings",
  auth: "caller",
  role: "admin",
  responses: { 200: { description: "The settings of the workspace this request acts in", schema: workspaceSettingsSchema } },
  errors: [],
});

export const updateWorkspaceSettingsContract = defineContract({
  method: "PATCH",
  path: "/api/v1/settings",
  operationId: "updateWorkspaceSettings",
  tag: "Workspaces",
  summary: "Change the workspace's settings",
  description:
    "JSON Merge Patch: an omitted field stays as it is; `allowed_client_ids` is replaced whole. " +
    "Enterprise-managed authorization is stored either way and is in effect (`active`) only when this deployment has enterprise features on and an SSO provider; turning it on needs at least one allowed client.",
  auth: "caller",
  role: "admin",
  body: updateWorkspaceSettingsSchema,
  responses: { 200: { description: "The settings after the change", schema: workspaceSettingsSchema } },
  errors: [],
});
