// `npm run db:migration -- <name>`: writes a migration for both dialects from prisma/models.prisma,
// each diffed against a scratch database migrated to the current history (SQLite file, and a
// PostgreSQL database on TEST_POSTGRES_URL's server). Review the SQL before committing it.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { postgresConfig } from "../prisma/database-url.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <snake_case_name>");
  process.exit(2);
}
const suffix = randomBytes(4).toString("hex");
// Deploy the history first: a `migrate dev` that has to create the database itself leaves the
// wasm engine without its shadow database for the diff that follows.
const prisma = (url) => {
  for (const args of [["migrate", "deploy"], ["migrate", "dev", "--create-only", "--name", name]]) {
    execFileSync(path.join(root, "node_modules/.bin/prisma"), args, { cwd: root, env: { ...process.env, DATABASE_URL: url }, stdio: "inherit" });
  }
};

execFileSync("node", ["scripts/build-schemas.mjs"], { cwd: root, stdio: "inherit" });

const sqliteFile = path.join(os.tmpdir(), `mcp-console-migration-${suffix}.db`);
try {
  prisma(`file:${sqliteFile}`);
} finally {
  rmSync(sqliteFile, { force: true });
}

const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const database = `mcp_console_migration_${suffix}`;
const admin = new pg.Client(postgresConfig(server, "postgres"));
await admin.connect();
await admin.query(`CREATE DATABASE "${database}"`);
try {
  const url = new URL(server);
  url.pathname = `/${database}`;
  prisma(url.href);
} finally {
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.end();
}
