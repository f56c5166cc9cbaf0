// Telling "the database can't be reached right now" apart from every other failure, so the API
// answers 503 with Retry-After (a load balancer retries elsewhere; a client waits) instead of a
// 500 — and logs the outage once when it starts and once when it ends, not once per request.
import { prismaErrorCode } from "@/lib/db";
import { log } from "@/lib/log";

const UNREACHABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TlsConnectionError"]);
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "SQLITE_BUSY"]);

type Cause = { kind?: string; code?: string; originalCode?: string };

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = prismaErrorCode(error);
  if (code && UNREACHABLE_CODES.has(code)) return true;
  const meta = (error as { meta?: { driverAdapterError?: { cause?: Cause } } } | null)?.meta;
  const cause: Cause = meta?.driverAdapterError?.cause ?? (error as { cause?: Cause } | null)?.cause ?? {};
  if (cause.kind && UNREACHABLE_KINDS.has(cause.kind)) return true;
  // PostgreSQL: 08xxx connection exceptions, 57P01-57P03 shutting down / not accepting connections.
  const sqlState = cause.originalCode ?? cause.code ?? (error as { code?: unknown } | null)?.code;
  if (typeof sqlState === "string" && (/^08/.test(sqlState) || /^57P0[123]$/.test(sqlState) || SOCKET_CODES.has(sqlState))) return true;
  return /Connection terminated|Can't reach database server|database is locked/i.test((error as Error | null)?.message ?? "");
}

let outageSince: number | undefined;

/** Notes a failed request; logs the first of an outage. */
export function noteDatabaseUnavailable(error: unknown) {
  if (outageSince !== undefined) return;
  outageSince = Date.now();
  log.error({ err: error }, "the database can't be reached; answering 503 until it is back");
}

/** Notes a request that reached the database; logs the end of an outage. */
export function noteDatabaseAvailable() {
  if (outageSince === undefined) return;
  log.warn({ outageMs: Date.now() - outageSince }, "the database is reachable again");
  outageSince = undefined;
}
