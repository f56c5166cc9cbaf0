// Runs once when a server instance starts: validate the configuration (fail fast with a clear
// message), create the owner on an empty database, bring old rows up to date, keep the activity
// log within its retention, and start the OAuth authorization server for MCP clients.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/env");
  env();
  const { bootstrapOwner } = await import("@/lib/auth/bootstrap");
  await bootstrapOwner();
  const { backfillMaskedColumns } = await import("@/lib/providers/backfill");
  await backfillMaskedColumns();
  const { startPruningToolCalls } = await import("@/lib/activity/tool-calls");
  startPruningToolCalls();
  const { registerOAuthHttp } = await import("@/lib/oauth/server");
  registerOAuthHttp();
  const { listenForChanges } = await import("@/lib/change-bus");
  await listenForChanges();
}
