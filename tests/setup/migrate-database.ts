// Global setup for an integration project: a fresh database of the project's kind, migrated with
// the real Prisma CLI (through the wasm schema-engine bridge), then one copy of it for each worker.
// Files run side by side, each worker on its own copy (tests/setup/use-worker-database.ts): two
// processes writing one SQLite file wait on each other's locks, and PostgreSQL's NOTIFY would
// carry one file's changes into another's listener.
import { execFileSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { databaseKind, postgresConfig, sqliteFilePath } from "../../prisma/database-url.mjs";
import { copyPostgresDatabase, dropPostgresDatabase } from "./postgres";
import { workerDatabaseUrl } from "./worker-database";

const root = path.resolve(import.meta.dirname, "../..");

export default async function setup(project: TestProject) {
  const url = project.config.env.DATABASE_URL ?? "";
  // As many as the pool numbers workers: a project's own maxWorkers, else the run's.
  const workers = Array.from({ length: project.config.maxWorkers || project.vitest.config.maxWorkers }, (_, index) => workerDatabaseUrl(url, index + 1));
  if (databaseKind(url) === "sqlite") {
    for (const file of [url, ...workers].map((each) => sqliteFilePath(each))) {
      for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${file}${suffix}`, { force: true });
    }
    migrate(url);
    for (const worker of workers) copyFileSync(sqliteFilePath(url), sqliteFilePath(worker));
  } else {
    assertLocal(url);
    for (const each of [url, ...workers]) await dropPostgresDatabase(each);
    migrate(url);
    for (const worker of workers) await copyPostgresDatabase(url, worker);
  }
}

function migrate(url: string) {
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
