import { route } from "@/lib/api/handler";
import { listConnectedApps } from "@/lib/oauth/connected-apps";
import { listConnectedAppsContract } from "./contract";

// GET /api/v1/connected-apps — your authorised MCP clients (an admin: the workspace's)
export const GET = route(listConnectedAppsContract, async ({ caller, query }) => ({
  status: 200,
  body: { data: await listConnectedApps(caller, query.scope === "workspace") },
}));
