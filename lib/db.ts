// The Prisma client, on SQLite (default) or PostgreSQL, chosen from DATABASE_URL. Both generated
// clients come from one models file, so they share one API; we type the pair as the SQLite one.
import "server-only";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "@/generated/sqlite/client";
import { PrismaClient as PostgresClient } from "@/generated/postgres/client";
import { databaseKind, postgresConfig, sqliteFilePath } from "@/prisma/database-url.mjs";
import { env } from "@/lib/env";

export type Db = InstanceType<typeof SqliteClient>;

function createClient(url: string): Db {
  if (databaseKind(url) === "postgres") {
    return new PostgresClient({ adapter: new PrismaPg({ ...postgresConfig(url), max: 10, connectionTimeoutMillis: 5_000 }) }) as unknown as Db;
  }
  return new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${sqliteFilePath(url)}`, timeout: 10_000 }) });
}

// One client per process, kept across Next's dev-mode module reloads.
const globalForDb = globalThis as unknown as { mcpConsoleDb?: Db };

export function db(): Db {
  globalForDb.mcpConsoleDb ??= createClient(env().DATABASE_URL);
  return globalForDb.mcpConsoleDb;
}

/** Tests point the console at another database (a proxy they can cut) and back. */
export async function resetDbForTests() {
  const current = globalForDb.mcpConsoleDb;
  globalForDb.mcpConsoleDb = undefined;
  await current?.$disconnect().catch(() => undefined);
}

export function isPostgres(): boolean {
  return databaseKind(env().DATABASE_URL) === "postgres";
}

/** Prisma's known-request error, told apart without importing either client's runtime class. */
export function prismaErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^P\d{4}$/.test(code) ? code : undefined;
}

/** The columns of a unique constraint a P2002 error names, across both drivers. */
export function uniqueViolationFields(error: unknown): string[] {
  const meta = (error as { meta?: Record<string, unknown> } | null)?.meta ?? {};
  const target = meta.target ?? (meta.driverAdapterError as { cause?: { constraint?: { fields?: string[]; index?: string } } })?.cause?.constraint;
  if (Array.isArray(target)) return target.map(String);
  if (typeof target === "string") return [target];
  if (target && typeof target === "object") {
    const constraint = target as { fields?: string[]; index?: string };
    if (constraint.fields) return constraint.fields;
    if (constraint.index) return [constraint.index];
  }
  return [String((error as Error)?.message ?? "")];
}
