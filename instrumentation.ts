// Runs once when a server instance starts: validate the configuration (fail fast with a clear
// message) and create the owner on an empty database.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/env");
  env();
  const { bootstrapOwner } = await import("@/lib/auth/bootstrap");
  await bootstrapOwner();
}
