// Global setup for an integration project: a fresh database of the project's kind, migrated with
// the real Prisma CLI (through the wasm schema-engine bridge).
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { databaseKind, postgresConfig, sqliteFilePath } from "../../prisma/database-url.mjs";
import { dropPostgresDatabase } from "./postgres";

const root = path.resolve(import.meta.dirname, "../..");

export default async function setup({ provide: _provide, config }: { provide: unknown; config: { env?: Record<string, string> } }) {
  const url = config.env?.MIGRATE_DATABASE_URL ?? "";
  if (databaseKind(url) === "sqlite") {
    rmSync(sqliteFilePath(url), { force: true });
  } else {
    assertLocal(url);
    await dropPostgresDatabase(url);
  }
  execFileSync(path.join(root, "node_modules/.bin/prisma"), ["migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
    stdio: "pipe",
  });
}

/** Tests wipe their database: refuse anything that is not on this machine. */
function assertLocal(url: string) {
  const { host } = postgresConfig(url);
  if (!["127.0.0.1", "localhost", "::1"].includes(host)) throw new Error(`Refusing to run tests against non-local database host ${host}`);
}
