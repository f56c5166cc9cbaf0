// Runs once when a server instance starts: validate the configuration (fail fast with a clear
// message), create the owner on an empty database, and bring old rows up to date.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/env");
  env();
  const { bootstrapOwner } = await import("@/lib/auth/bootstrap");
  await bootstrapOwner();
  const { backfillMaskedColumns } = await import("@/lib/providers/backfill");
  await backfillMaskedColumns();
  const { listenForChanges } = await import("@/lib/change-bus");
  await listenForChanges();
}
