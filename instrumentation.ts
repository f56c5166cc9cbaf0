// Runs once when a server instance starts: validate the configuration (fail fast with a clear
// message), start OpenTelemetry's exports if configured (traces, the activity log as logs), create
// the owner on an empty database, bring old rows up to date, prune what has expired (activity past
// its retention, OAuth tokens), start the OAuth authorization server for MCP clients, and hand
// server.mjs the MCP gateway and what to do when it stops.
// A start that fails ends the process (exit code 1): left running, Next.js would answer every
// request with a 500, health checks included, and a process manager would never restart it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  try {
    await start();
  } catch (error) {
    const { log } = await import("@/lib/log");
    log.fatal({ err: error }, "the console could not start; exiting");
    process.exit(1);
  }
}

async function start() {
  const { env } = await import("@/lib/env");
  env();
  const { startTracing } = await import("@/lib/observability/tracing");
  startTracing();
  const { startActivityLogExport } = await import("@/lib/observability/otlp-logs");
  startActivityLogExport();
  const { bootstrapOwner } = await import("@/lib/auth/bootstrap");
  await bootstrapOwner();
  const { backfillMaskedColumns } = await import("@/lib/providers/backfill");
  await backfillMaskedColumns();
  // Before anything is appended: activity records from before the hash chain join it first.
  const { chainLegacyRecords } = await import("@/lib/activity/chain-store");
  await chainLegacyRecords();
  const { startHousekeeping } = await import("@/lib/housekeeping");
  startHousekeeping();
  const { registerOAuthHttp } = await import("@/lib/oauth/server");
  registerOAuthHttp();
  const { registerGatewayHttp } = await import("@/lib/gateway/node-http");
  registerGatewayHttp();
  const { registerShutdown } = await import("@/lib/shutdown");
  registerShutdown();
  const { listenForChanges } = await import("@/lib/change-bus");
  await listenForChanges();
}
