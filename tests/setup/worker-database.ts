// Each test worker's own copy of its project's database, made by tests/setup/migrate-database.ts
// and used through tests/setup/use-worker-database.ts.
import { databaseKind } from "../../prisma/database-url.mjs";

/** The copy of `url` that worker `id` (VITEST_POOL_ID, from 1) uses. */
export function workerDatabaseUrl(url: string, id: number): string {
  if (!Number.isInteger(id) || id < 1) throw new Error(`No test worker ${id}`);
  if (databaseKind(url) === "sqlite") return url.replace(/(\.db)?(\?.*)?$/, (_, ext = "", query = "") => `.w${id}${ext}${query}`);
  const parsed = new URL(url);
  parsed.pathname = `${parsed.pathname}_w${id}`;
  return parsed.href;
}
