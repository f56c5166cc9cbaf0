// The Prisma client, on SQLite (default) or PostgreSQL, chosen from DATABASE_URL. Both generated
// clients come from one models file (a test fails if the schemas drift), so at run time they have
// one API; the console is written against the SQLite client's types.
import "server-only";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import Database from "better-sqlite3";
import { PrismaClient as SqliteClient } from "@/generated/sqlite/client";
import { PrismaClient as PostgresClient } from "@/generated/postgres/client";
import { databaseKind, postgresConfig, sqliteFilePath } from "@/prisma/database-url.mjs";
import { env } from "@/lib/env";
import { fieldsOf } from "@/lib/fields";
import { log } from "@/lib/log";

export type Db = SqliteClient;
/** The client an interactive transaction hands its callback. */
export type DbTransaction = Parameters<Parameters<Db["$transaction"]>[0]>[0];
/** What reads: the console's client, or a transaction's. */
export type Reader = Db | DbTransaction;

/**
 * The PostgreSQL client, used through the API both clients share. TypeScript can't see that they
 * share it — each generated client names its own copies of every type, and they differ where the
 * databases do (transaction isolation levels, case-insensitive filters, which the console passes
 * only on PostgreSQL) — so this is the one place the PostgreSQL client is taken as the other.
 */
function asSharedClient(client: PostgresClient): Db {
  return client as unknown as Db;
}

function createClient(url: string): Db {
  if (databaseKind(url) === "postgres") {
    return asSharedClient(new PostgresClient({ adapter: new PrismaPg({ ...postgresConfig(url), max: 10, connectionTimeoutMillis: 5_000 }) }));
  }
  const client = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${sqliteFilePath(url)}`, timeout: 10_000 }) });
  // better-sqlite3 is synchronous: a commit that waits for the disk holds up every request in the
  // process. With a write-ahead log and NORMAL sync a commit is a write, not an fsync (~0.03 ms
  // against ~2 ms here), and readers never wait for writers. WAL stays set in the file.
  void client
    .$queryRawUnsafe("PRAGMA journal_mode = WAL")
    .then(() => client.$executeRawUnsafe("PRAGMA synchronous = NORMAL"))
    .catch((error: unknown) => { log.warn({ err: error }, "SQLite: could not turn on the write-ahead log; writes will be slower"); });
  return client;
}

// One client per process, kept across Next's dev-mode module reloads.
const globalForDb = globalThis as unknown as { mcpConsoleDb?: Db };

export function db(): Db {
  globalForDb.mcpConsoleDb ??= createClient(env().DATABASE_URL);
  return globalForDb.mcpConsoleDb;
}

// A read made on every gateway call runs as a prepared statement of its own: Prisma spends about
// 0.16 ms of CPU on any query it runs, where SQLite answers a keyed read in microseconds
// (docs/performance.md, section c). On SQLite it is a read-only connection to the same file — the
// write-ahead log shows it every commit at once — and what a read gave is kept until anything is
// committed to the database, by any connection or process (PRAGMA data_version moves): exactly what
// reading again would give, for a fraction of the cost. On PostgreSQL the read goes through Prisma.
type HotReads = {
  url: string;
  connection: Database.Database;
  statements: Map<string, Database.Statement>;
  dataVersion: Database.Statement;
  kept: { version: unknown; answers: Map<string, unknown> };
};
const globalForReads = globalThis as unknown as { mcpConsoleHotReads?: HotReads };

function hotReads(url: string): HotReads {
  const current = globalForReads.mcpConsoleHotReads;
  if (current?.url === url) return current;
  current?.connection.close();
  const connection = new Database(sqliteFilePath(url), { readonly: true, fileMustExist: true, timeout: 10_000 });
  globalForReads.mcpConsoleHotReads = { url, connection, statements: new Map(), dataVersion: connection.prepare("PRAGMA data_version").pluck(), kept: { version: undefined, answers: new Map() } };
  return globalForReads.mcpConsoleHotReads;
}

/** SQL written with `?` for each parameter, in order, as the database at `url` numbers them. */
function dialectOf(sql: string, url: string): string {
  let index = 0;
  return databaseKind(url) === "postgres" ? sql.replace(/\?/g, () => `$${++index}`) : sql;
}

export type SqlParam = string | number | Date | null;

/** Statements written with `?` parameters, run through Prisma on `client` (the console's, or a transaction's), on either database. */
export function rawSql(client: Reader = db()) {
  const url = env().DATABASE_URL;
  return {
    execute: (sql: string, ...params: SqlParam[]): Promise<number> => client.$executeRawUnsafe(dialectOf(sql, url), ...params),
    query: <T>(sql: string, ...params: SqlParam[]): Promise<T[]> => client.$queryRawUnsafe<T[]>(dialectOf(sql, url), ...params),
  };
}

const MAX_KEPT_ANSWERS = 10_000;

/** One read (`?` for each parameter, in order) for paths that run on every call, and what `parse` makes of its rows. */
export async function hotRead<T>(sql: string, params: (string | number)[], parse: (rows: unknown[]) => T): Promise<T> {
  const url = env().DATABASE_URL;
  if (databaseKind(url) === "postgres") return parse(await rawSql().query<unknown>(sql, ...params));
  return sqliteHotRead(url, sql, params, parse);
}

/** hotRead without a wait where it needs none (SQLite answers at once); undefined on PostgreSQL, for hotRead to ask. */
export function hotReadNow<T>(sql: string, params: (string | number)[], parse: (rows: unknown[]) => T): T | undefined {
  const url = env().DATABASE_URL;
  return databaseKind(url) === "postgres" ? undefined : sqliteHotRead(url, sql, params, parse);
}

function sqliteHotRead<T>(url: string, sql: string, params: (string | number)[], parse: (rows: unknown[]) => T): T {
  const reads = hotReads(url);
  const version = reads.dataVersion.get();
  if (version !== reads.kept.version) reads.kept = { version, answers: new Map() };
  const key = JSON.stringify([sql, params]);
  if (reads.kept.answers.has(key)) return reads.kept.answers.get(key) as T;
  let statement = reads.statements.get(sql);
  if (!statement) {
    statement = reads.connection.prepare(sql);
    reads.statements.set(sql, statement);
  }
  const answer = parse(statement.all(...params));
  if (reads.kept.answers.size < MAX_KEPT_ANSWERS) reads.kept.answers.set(key, answer);
  return answer;
}

/** Tests point the console at another database (a proxy they can cut) and back. */
export async function resetDbForTests() {
  const current = globalForDb.mcpConsoleDb;
  globalForDb.mcpConsoleDb = undefined;
  globalForReads.mcpConsoleHotReads?.connection.close();
  globalForReads.mcpConsoleHotReads = undefined;
  await current?.$disconnect().catch(() => undefined);
}

export function isPostgres(): boolean {
  return databaseKind(env().DATABASE_URL) === "postgres";
}

/** Prisma's known-request error, told apart without importing either client's runtime class. */
export function prismaErrorCode(error: unknown): string | undefined {
  const { code } = fieldsOf(error);
  return typeof code === "string" && /^P\d{4}$/.test(code) ? code : undefined;
}

/** The columns of a unique constraint a P2002 error names, across both drivers. */
export function uniqueViolationFields(error: unknown): string[] {
  const meta = fieldsOf(fieldsOf(error).meta);
  const constraint = fieldsOf(fieldsOf(fieldsOf(meta.driverAdapterError).cause).constraint);
  const target = meta.target ?? (Object.keys(constraint).length > 0 ? constraint : undefined);
  if (Array.isArray(target)) return target.map(String);
  if (typeof target === "string") return [target];
  const { fields, index } = fieldsOf(target);
  if (Array.isArray(fields)) return fields.map(String);
  if (typeof index === "string") return [index];
  return [error instanceof Error ? error.message : ""];
}
