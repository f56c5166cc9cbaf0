// Readiness: the database answers a trivial query within a short time. No details leave here —
// the probe is unauthenticated — and a failure is logged only as part of an outage.
import "server-only";
import { db } from "@/lib/db";
import { isDatabaseUnavailable, noteDatabaseAvailable, noteDatabaseUnavailable } from "@/lib/db-availability";
import { log } from "@/lib/log";

const READY_TIMEOUT_MS = 3_000;

export async function databaseReady(): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(Object.assign(new Error("database readiness check timed out"), { code: "ETIMEDOUT" })); }, READY_TIMEOUT_MS);
  });
  try {
    await Promise.race([db().$queryRaw`SELECT 1`, timeout]);
    noteDatabaseAvailable();
    return true;
  } catch (error) {
    if (isDatabaseUnavailable(error)) noteDatabaseUnavailable(error);
    else log.error({ err: error }, "readiness check failed");
    return false;
  } finally {
    clearTimeout(timer);
  }
}
