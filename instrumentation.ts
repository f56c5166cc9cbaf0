// Runs once when a server instance starts: validate the configuration (fail fast with a clear
// message), create the owner on an empty database, bring old rows up to date, prune what has
// expired (activity past its retention, OAuth tokens), start the OAuth authorization server for MCP clients, and hand server.mjs the MCP gateway.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/env");
  env();
  const { bootstrapOwner } = await import("@/lib/auth/bootstrap");
  await bootstrapOwner();
  const { backfillMaskedColumns } = await import("@/lib/providers/backfill");
  await backfillMaskedColumns();
  const { startHousekeeping } = await import("@/lib/housekeeping");
  startHousekeeping();
  const { registerOAuthHttp } = await import("@/lib/oauth/server");
  registerOAuthHttp();
  const { registerGatewayHttp } = await import("@/lib/gateway/node-http");
  registerGatewayHttp();
  const { listenForChanges } = await import("@/lib/change-bus");
  await listenForChanges();
}
