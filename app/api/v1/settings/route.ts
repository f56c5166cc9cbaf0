import { route } from "@/lib/api/handler";
import { getWorkspaceSettings, updateWorkspaceSettings } from "@/lib/workspaces/settings";
import { getWorkspaceSettingsContract, updateWorkspaceSettingsContract } from "./contract";

// GET /api/v1/settings — the workspace's settings (owners and admins)
export const GET = route(getWorkspaceSettingsContract, async ({ caller }) => ({ status: 200, body: await getWorkspaceSettings(caller) }));

// PATCH /api/v1/settings — merge-patch the workspace's settings (owners and admins)
export const PATCH = route(updateWorkspaceSettingsContract, async ({ caller, body }) => ({ status: 200, body: await updateWorkspaceSettings(caller, body) }));
