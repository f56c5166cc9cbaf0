// How one console instance tells the others that something they may hold in memory has changed.
// Each change is a topic and an id ("token:…", "user:…", "providers:<workspace>", "cancel:<request>", "answer:<request>", "approval:<id>"): handlers here
// run at once; on PostgreSQL every instance listening on one channel (LISTEN/NOTIFY) runs its own.
// While an instance is not listening — its connection dropped or went silent, the database
// restarted — it may miss changes, so every handler is told to forget everything when the
// connection is lost and again once it listens anew: a missed notification costs a cache, and never
// serves stale data past that cache's own few seconds. It reconnects on its own, backing off.
import "server-only";
import pg from "pg";
import { db, isPostgres } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { processWide } from "@/lib/process-wide";
import { postgresConfig } from "@/prisma/database-url.mjs";

export type Topic = "token" | "user" | "providers" | "cancel" | "answer" | "approval";

const CHANNEL = "mcp_console_changes";
const TOPICS: readonly string[] = ["token", "user", "providers", "cancel", "answer", "approval"] satisfies Topic[];
// A listening connection is asked to answer this often; one that doesn't within the timeout is lost.
const PING_MS = 30_000;
const PING_TIMEOUT_MS = 10_000;
const MAX_RETRY_MS = 30_000;
/** How the listening connection shows in pg_stat_activity. */
export const LISTENER_NAME = "mcp-console change listener";

type Handler = { topic: Topic; onChange: (id: string) => void; onLost: () => void };
// Shared by every copy of this module in the process (lib/process-wide.ts).
const bus = processWide("change-bus", () => ({
  handlers: [] as Handler[],
  /** A connection is listening, or one is being (re)made. */
  active: false,
  listener: undefined as pg.Client | undefined,
  /** The listening connection's server process (pg_backend_pid). */
  backend: undefined as number | undefined,
  stopping: false,
  /** Bumped by every start, so a retry scheduled before a stop never outlives it. */
  run: 0,
}));

/** Registers what to do when `topic` changes, and when changes may have been missed; returns how to stop. */
export function onChange(topic: Topic, onChange: (id: string) => void, onLost: () => void): () => void {
  const handler = { topic, onChange, onLost };
  bus.handlers.push(handler);
  return () => {
    const at = bus.handlers.indexOf(handler);
    if (at !== -1) bus.handlers.splice(at, 1);
  };
}

function deliver(topic: Topic, id: string) {
  for (const handler of bus.handlers) if (handler.topic === topic) handler.onChange(id);
}

function forgetEverything() {
  for (const handler of bus.handlers) handler.onLost();
}

/**
 * Says `topic`/`id` changed — after the change is committed: here at once, and on PostgreSQL to
 * every instance. The change itself has landed, so a failed notification doesn't fail the request:
 * the other instances' caches expire on their own within seconds.
 */
export async function announce(topic: Topic, id: string) {
  deliver(topic, id);
  if (!isPostgres()) return;
  try {
    await db().$executeRaw`SELECT pg_notify(${CHANNEL}, ${`${topic}:${id}`})`;
  } catch (error) {
    log.warn({ err: error, topic }, "couldn't tell the other instances about a change; their caches expire on their own");
  }
}

/** On PostgreSQL, runs the handlers for what other instances announce, from now on. Started once per server process. */
export async function listenForChanges(): Promise<void> {
  if (!isPostgres() || bus.active) return;
  bus.active = true;
  bus.stopping = false;
  bus.run += 1;
  // A first attempt that fails is logged and retried like any other; the console runs meanwhile.
  await listen(bus.run, 0).catch(() => undefined);
}

async function listen(run: number, attempt: number): Promise<void> {
  if (bus.stopping || run !== bus.run) return;
  const client = new pg.Client({ ...postgresConfig(env().DATABASE_URL), keepAlive: true, query_timeout: PING_TIMEOUT_MS, application_name: LISTENER_NAME });
  const connection = { lost: false, ping: undefined as NodeJS.Timeout | undefined };
  const lose = (reason: string) => {
    if (connection.lost) return;
    connection.lost = true;
    clearInterval(connection.ping);
    if (bus.listener === client) bus.listener = undefined;
    void client.end().catch(() => undefined);
    forgetEverything();
    if (bus.stopping || run !== bus.run) return;
    const delay = Math.min(MAX_RETRY_MS, 1_000 * 2 ** attempt);
    log.warn({ reason, retryInMs: delay }, "not listening for other instances' changes; forgetting what that guarded and reconnecting");
    setTimeout(() => void listen(run, attempt + 1).catch(() => undefined), delay).unref();
  };
  client.on("notification", (message) => {
    const payload = message.payload ?? "";
    const colon = payload.indexOf(":");
    const topic = payload.slice(0, colon);
    if (colon > 0 && TOPICS.includes(topic)) deliver(topic as Topic, payload.slice(colon + 1));
  });
  client.on("error", (error) => {
    lose(error.message);
  });
  client.on("end", () => {
    lose("the connection ended");
  });
  try {
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    bus.backend = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
  } catch (error) {
    lose(error instanceof Error ? error.message : String(error));
    throw error;
  }
  bus.listener = client;
  if (attempt > 0) {
    // Whatever was cached while nobody listened may have missed a change.
    forgetEverything();
    log.info({ attempts: attempt }, "listening for other instances' changes again");
  }
  connection.ping = setInterval(() => {
    client.query("SELECT 1").catch((error: unknown) => {
      lose(error instanceof Error ? error.message : String(error));
    });
  }, PING_MS).unref();
}

/** The database backend of the listening connection, for tests that cut it. */
export function listenerBackendForTests(): number | undefined {
  return bus.listener ? bus.backend : undefined;
}

/** Ends listening (tests; a retry in flight gives up). */
export async function stopListeningForTests() {
  bus.stopping = true;
  const client = bus.listener;
  bus.listener = undefined;
  await client?.end();
  bus.active = false;
}
