// One place that reads a DATABASE_URL: which database it names and where a SQLite file lives.
// Plain JavaScript because the schema-engine bridge runs under plain Node, outside the TS toolchain.
import path from "node:path";

export const DEFAULT_DATABASE_URL = "file:./data/mcp-console.db";

/** "sqlite" for file: URLs, "postgres" for postgres:// and postgresql:// URLs. */
export function databaseKind(url) {
  if (/^postgres(ql)?:\/\//i.test(url ?? "")) return "postgres";
  if (/^file:/i.test(url ?? "")) return "sqlite";
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)`);
}

/** The absolute path of a SQLite database file; relative paths are taken from the working directory. */
export function sqliteFilePath(url, cwd = process.cwd()) {
  const file = url.replace(/^file:/i, "").replace(/\?.*$/, "");
  return path.resolve(cwd, file);
}

/** A pg client config built from separate fields, so nothing can override the database name later. */
export function postgresConfig(url, database) {
  const parsed = new URL(url);
  return {
    host: decodeURIComponent(parsed.hostname) || "localhost",
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username) || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database: database ?? decodeURIComponent(parsed.pathname.replace(/^\//, "")) ?? "postgres",
    ssl: ["require", "verify-full", "verify-ca"].includes(parsed.searchParams.get("sslmode") ?? "")
      ? { rejectUnauthorized: parsed.searchParams.get("sslmode") !== "require" }
      : undefined,
  };
}
