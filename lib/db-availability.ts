// Telling "the database can't be reached right now" apart from every other failure, so the API
// answers 503 with Retry-After (a load balancer retries elsewhere; a client waits) instead of a
// 500 — and logs the outage once when it starts and once when it ends, not once per request.
import { db, prismaErrorCode } from "@/lib/db";
import { fieldsOf } from "@/lib/fields";
import { log } from "@/lib/log";
import { processWide } from "@/lib/process-wide";

const UNREACHABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TlsConnectionError"]);
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "SQLITE_BUSY"]);

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = prismaErrorCode(error);
  if (code && UNREACHABLE_CODES.has(code)) return true;
  const adapterCause = fieldsOf(fieldsOf(fieldsOf(fieldsOf(error).meta).driverAdapterError).cause);
  const cause = Object.keys(adapterCause).length > 0 ? adapterCause : fieldsOf(fieldsOf(error).cause);
  if (typeof cause.kind === "string" && UNREACHABLE_KINDS.has(cause.kind)) return true;
  // PostgreSQL: 08xxx connection exceptions, 57P01-57P03 shutting down / not accepting connections.
  const sqlState = cause.originalCode ?? cause.code ?? fieldsOf(error).code;
  if (typeof sqlState === "string" && (/^08/.test(sqlState) || /^57P0[123]$/.test(sqlState) || SOCKET_CODES.has(sqlState))) return true;
  // pg's own errors for a connection that went away (a pooled client reused after its socket closed).
  return error instanceof Error && /Connection terminated|not queryable|Can't reach database server|database is locked/i.test(error.message);
}

// The process's one view of the outage: route handlers and the gateway (served from server.mjs)
// are different bundles, each with its own copy of this module, and must not log it twice.
const outage = processWide("database-outage", () => ({ since: undefined as number | undefined, checking: false }));

/** Notes a failed request; logs the first of an outage. */
export function noteDatabaseUnavailable(error: unknown) {
  if (outage.since !== undefined) return;
  outage.since = Date.now();
  log.error({ err: error }, "the database can't be reached; answering 503 until it is back");
}

/**
 * Notes a request that succeeded. During an outage that is not proof the database is back — the
 * answer may have come from memory — so the database is asked, and the end logged when it answers.
 */
export function noteDatabaseAvailable() {
  if (outage.since === undefined || outage.checking) return;
  outage.checking = true;
  db()
    .$queryRaw`SELECT 1`
    .then(() => {
      if (outage.since === undefined) return;
      log.warn({ outageMs: Date.now() - outage.since }, "the database is reachable again");
      outage.since = undefined;
    })
    .catch(() => undefined)
    .finally(() => {
      outage.checking = false;
    });
}

/** Resolves once a check started by noteDatabaseAvailable has finished (tests). */
export async function databaseCheckSettledForTests() {
  while (outage.checking) await new Promise((resolve) => setTimeout(resolve, 5));
}
