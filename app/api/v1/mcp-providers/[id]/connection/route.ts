import { route } from "@/lib/api/handler";
import { findProviderRow } from "@/lib/providers/data";
import { BROWSER_COOKIE, browserCookie, browserValue, connectionStatus, disconnect, startConnection } from "@/lib/upstream-oauth/connections";
import { endConnectionContract, getConnectionContract, startConnectionContract } from "./contract";

// GET /api/v1/mcp-providers/{id}/connection — whether your calls have an OAuth connection
export const GET = route(getConnectionContract, async ({ caller, params }) => ({
  status: 200,
  body: await connectionStatus(await findProviderRow({ workspaceId: caller.workspaceId, id: params.id }), caller),
}));

// POST /api/v1/mcp-providers/{id}/connection — start connecting: the authorization URL for your browser
export const POST = route(startConnectionContract, async ({ req, caller, params }) => {
  // The sign-in is bound to this browser: only it can bring the answer back.
  const browser = browserValue(req.cookies.get(BROWSER_COOKIE)?.value);
  const url = await startConnection(await findProviderRow({ workspaceId: caller.workspaceId, id: params.id }), caller, browser);
  return { status: 200, body: { authorization_url: url }, headers: { "set-cookie": browserCookie(browser) } };
});

// DELETE /api/v1/mcp-providers/{id}/connection — disconnect (revoking at the server when it can)
export const DELETE = route(endConnectionContract, async ({ caller, params, query }) => {
  await disconnect(await findProviderRow({ workspaceId: caller.workspaceId, id: params.id }), caller, query.user_id);
  return { status: 204 };
});
