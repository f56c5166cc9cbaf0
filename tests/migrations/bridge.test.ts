// The real Prisma CLI, run on the wasm-backed schema-engine bridge (prisma/engine-bridge): the
// path every install takes to a migrated database, with no engine binary on the machine.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { postgresConfig } from "../../prisma/database-url.mjs";
import { dropPostgresDatabase, withPostgres } from "../setup/postgres";

const root = path.resolve(import.meta.dirname, "../..");
const PG_BASE = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function prisma(args: string[], env: Record<string, string>) {
  const result = spawnSync(path.join(root, "node_modules/.bin/prisma"), args, {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 90_000,
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "mcp-console-migrations-"));
  cleanups.push(() => { rmSync(dir, { recursive: true, force: true }); });
  return dir;
}

/** A copy of one dialect's schema and migrations, optionally with only the first N migrations. */
function schemaCopy(kind: "sqlite" | "postgres", keepMigrations?: number): string {
  const dir = tempDir();
  const source = path.join(root, "prisma", kind);
  cpSync(path.join(source, "schema.prisma"), path.join(dir, "schema.prisma"));
  cpSync(path.join(source, "migrations"), path.join(dir, "migrations"), { recursive: true });
  if (keepMigrations !== undefined) {
    for (const name of migrationNames(kind).slice(keepMigrations)) rmSync(path.join(dir, "migrations", name), { recursive: true });
  }
  return dir;
}

function migrationNames(kind: "sqlite" | "postgres"): string[] {
  return readdirSync(path.join(root, "prisma", kind, "migrations")).filter((name) => /^\d+_/.test(name)).sort();
}

function addMigration(dir: string, kind: "sqlite" | "postgres", name: string) {
  cpSync(path.join(root, "prisma", kind, "migrations", name), path.join(dir, "migrations", name), { recursive: true });
}

function freshPostgres(): string {
  const name = `mcp_console_mig_${Math.random().toString(36).slice(2, 10)}`;
  const url = PG_BASE.replace(/\/[^/]*$/, `/${name}`);
  cleanups.push(async () => {
    // A shadow a failed run left behind goes with its database.
    for (const shadow of await shadowsOf(url).catch(() => [])) await dropPostgresDatabase(url.replace(/\/[^/]*$/, `/${shadow}`));
    await dropPostgresDatabase(url);
  });
  return url;
}

/** The shadow databases of the test's own database (named after it): other databases on the server are none of its business. */
async function shadowsOf(url: string): Promise<string[]> {
  const prefix = `${postgresConfig(url).database.slice(0, 40)}_shadow_`;
  return withPostgres(url, async (client) => (await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix])).rows.map((r) => r.datname));
}

describe("the migration history tells the identity_mode story", () => {
  it("the first migration has no identity_mode; the second adds it, and nothing else", () => {
    for (const kind of ["sqlite", "postgres"] as const) {
      const [first, second] = migrationNames(kind);
      expect(first).toMatch(/_init$/);
      expect(second).toMatch(/_add_identity_mode$/);
      const firstSql = readFileSync(path.join(root, "prisma", kind, "migrations", first, "migration.sql"), "utf8");
      const secondSql = readFileSync(path.join(root, "prisma", kind, "migrations", second, "migration.sql"), "utf8");
      expect(firstSql).toContain('CREATE TABLE "tool_mcp_providers"');
      expect(firstSql).not.toContain("identity_mode");
      expect(secondSql.replace(/--.*\n/g, "").trim()).toMatch(/^ALTER TABLE "tool_mcp_providers" ADD COLUMN\s+"identity_mode" (TEXT|VARCHAR\(32\)) NOT NULL DEFAULT 'off';$/);
    }
  });

  const insertProvider = (id: string) =>
    `INSERT INTO "tool_mcp_providers" ("id","workspace_id","name","server_identifier","server_url_encrypted","server_url_hash","timeout","sse_read_timeout","tools","created_by","version") ` +
    `VALUES ('${id}','ws-1','Provider ${id}','p${id}','enc-${id}','hash-${id}',${Number(id) * 10},${Number(id) * 100},'[]','u-1',${id})`;
  const seed = [`INSERT INTO "workspaces" ("id","name") VALUES ('ws-1','Workspace')`, insertProvider("1"), insertProvider("2")];

  it("on SQLite: rows written before the second migration keep their values and read 'off'", () => {
    const dir = schemaCopy("sqlite", 1);
    const file = path.join(dir, "story.db");
    const env = { DATABASE_URL: `file:${file}`, PRISMA_SCHEMA_DIR: dir };
    expect(prisma(["migrate", "deploy"], env).status).toBe(0);
    const before = new Database(file);
    for (const sql of seed) before.exec(sql);
    expect(before.prepare(`SELECT name FROM pragma_table_info('tool_mcp_providers') WHERE name = 'identity_mode'`).all()).toEqual([]);
    before.close();

    addMigration(dir, "sqlite", migrationNames("sqlite")[1]);
    const second = prisma(["migrate", "deploy"], env);
    expect(second.status, second.output).toBe(0);
    const after = new Database(file);
    const rows = after.prepare(`SELECT id, name, server_identifier, timeout, sse_read_timeout, version, identity_mode FROM tool_mcp_providers ORDER BY id`).all();
    after.close();
    expect(rows).toEqual([
      { id: "1", name: "Provider 1", server_identifier: "p1", timeout: 10, sse_read_timeout: 100, version: 1, identity_mode: "off" },
      { id: "2", name: "Provider 2", server_identifier: "p2", timeout: 20, sse_read_timeout: 200, version: 2, identity_mode: "off" },
    ]);
  });

  it("on PostgreSQL: the same, and the column is varchar(32) NOT NULL DEFAULT 'off'", async () => {
    const dir = schemaCopy("postgres", 1);
    const url = freshPostgres();
    const env = { DATABASE_URL: url, PRISMA_SCHEMA_DIR: dir };
    const first = prisma(["migrate", "deploy"], env);
    expect(first.status, first.output).toBe(0);
    await withPostgres(url, async (client) => {
      for (const sql of seed) await client.query(sql);
    });
    addMigration(dir, "postgres", migrationNames("postgres")[1]);
    expect(prisma(["migrate", "deploy"], env).status).toBe(0);
    await withPostgres(url, async (client) => {
      const rows = await client.query(`SELECT id, name, timeout, sse_read_timeout, version, identity_mode FROM tool_mcp_providers ORDER BY id`);
      expect(rows.rows).toEqual([
        { id: "1", name: "Provider 1", timeout: 10, sse_read_timeout: 100, version: 1, identity_mode: "off" },
        { id: "2", name: "Provider 2", timeout: 20, sse_read_timeout: 200, version: 2, identity_mode: "off" },
      ]);
      const column = await client.query(
        `SELECT data_type, character_maximum_length, is_nullable, column_default FROM information_schema.columns WHERE table_name = 'tool_mcp_providers' AND column_name = 'identity_mode'`,
      );
      expect(column.rows[0]).toEqual({ data_type: "character varying", character_maximum_length: 32, is_nullable: "NO", column_default: "'off'::character varying" });
    });
  });
});

describe("the upstream OAuth migration", () => {
  // Before it, a provider could store a client id and secret that nothing used; after it, that is
  // a shared OAuth connection, and a provider without one has no OAuth.
  const rows = [
    `INSERT INTO "workspaces" ("id","name") VALUES ('ws-1','Workspace')`,
    `INSERT INTO "tool_mcp_providers" ("id","workspace_id","name","server_identifier","server_url_encrypted","server_url_hash","tools","created_by","client_id") VALUES ('1','ws-1','With client','p1','enc','h1','[]','u-1','client-1')`,
    `INSERT INTO "tool_mcp_providers" ("id","workspace_id","name","server_identifier","server_url_encrypted","server_url_hash","tools","created_by") VALUES ('2','ws-1','Plain','p2','enc','h2','[]','u-1')`,
  ];
  const expected = [
    { id: "1", client_id: "client-1", auth_type: "oauth", oauth_connection: "shared" },
    { id: "2", client_id: null, auth_type: null, oauth_connection: null },
  ];
  const select = `SELECT id, client_id, auth_type, oauth_connection FROM tool_mcp_providers ORDER BY id`;
  it("on SQLite: a stored client becomes a shared OAuth connection", () => {
    const after = sqliteUpgradedThrough("_upstream_oauth", rows);
    expect(after.prepare(select).all()).toEqual(expected);
    after.close();
  });

  it("on PostgreSQL: the same", async () => {
    const url = await postgresUpgradedThrough("_upstream_oauth", rows);
    await withPostgres(url, async (client) => {
      expect((await client.query(select)).rows).toEqual(expected);
    });
  });
});

describe("the token name key migration", () => {
  // Before it, two racing requests could give one owner two tokens of one name: those are kept, the
  // later ones renamed so each can be told apart, and the key then makes a name unique.
  const rows = [
    `INSERT INTO "workspaces" ("id","name") VALUES ('ws-1','Workspace')`,
    `INSERT INTO "users" ("id","email","name") VALUES ('u-1','u1@example.test','U')`,
    ...[["tok-aaaa-1", "CI deploy", "2026-01-01"], ["tok-bbbb-2", "ci deploy", "2026-01-02"], ["tok-cccc-3", "Other", "2026-01-03"]].map(
      ([id, name, at]) => `INSERT INTO "api_tokens" ("id","user_id","workspace_id","name","token_hash","prefix","created_at") VALUES ('${id}','u-1','ws-1','${name}','hash-${id}','mcp_x','${at} 00:00:00')`,
    ),
  ];
  const expected = [
    { id: "tok-aaaa-1", name: "CI deploy", name_key: "ci deploy" },
    { id: "tok-bbbb-2", name: "ci deploy (tok-bbbb)", name_key: "ci deploy (tok-bbbb)" },
    { id: "tok-cccc-3", name: "Other", name_key: "other" },
  ];
  const select = `SELECT id, name, name_key FROM api_tokens ORDER BY id`;
  const duplicate = `INSERT INTO "api_tokens" ("id","user_id","workspace_id","name","name_key","token_hash","prefix") VALUES ('tok-dddd-4','u-1','ws-1','OTHER','other','hash-4','mcp_x')`;
  it("on SQLite: tokens already sharing a name are all kept, told apart, and a name is then unique", () => {
    const after = sqliteUpgradedThrough("_api_token_name_key", rows);
    expect(after.prepare(select).all()).toEqual(expected);
    expect(() => after.exec(duplicate)).toThrow(/UNIQUE constraint failed/);
    after.close();
  });

  it("on PostgreSQL: the same", async () => {
    const url = await postgresUpgradedThrough("_api_token_name_key", rows);
    await withPostgres(url, async (client) => {
      expect((await client.query(select)).rows).toEqual(expected);
      await expect(client.query(duplicate)).rejects.toThrow(/api_tokens_user_id_workspace_id_name_key_key/);
    });
  });
});

describe("the activity chain migration", () => {
  // Records written before the chain: numbered per workspace in time order (the console hashes them
  // when it starts), each workspace's head at its last number with no hash yet; a position is then unique.
  const call = (id: string, workspace: string, at: string) =>
    `INSERT INTO "tool_calls" ("id","workspace_id","user_id","user_email","provider_id","provider_name","tool","via","outcome","duration_ms","identity","request_id","created_at") VALUES ('${id}','${workspace}','u-1','u@example.test','p-1','P','t','api','ok',1,'off','r-${id}','${at}')`;
  const rows = [
    `INSERT INTO "workspaces" ("id","name") VALUES ('ws-1','One')`,
    `INSERT INTO "workspaces" ("id","name") VALUES ('ws-2','Two')`,
    call("c", "ws-1", "2026-01-03 00:00:00"),
    call("a", "ws-1", "2026-01-01 00:00:00"),
    call("b", "ws-2", "2026-01-02 00:00:00"),
    call("d", "ws-1", "2026-01-02 00:00:00"),
  ];
  const numbered = [
    { id: "a", workspace_id: "ws-1", seq: "1" },
    { id: "b", workspace_id: "ws-2", seq: "1" },
    { id: "c", workspace_id: "ws-1", seq: "3" },
    { id: "d", workspace_id: "ws-1", seq: "2" },
  ];
  const heads = [
    { workspace_id: "ws-1", seq: "3", hash: null },
    { workspace_id: "ws-2", seq: "1", hash: null },
  ];
  const selectCalls = `SELECT id, workspace_id, CAST(seq AS TEXT) AS seq FROM tool_calls ORDER BY id`;
  const selectHeads = `SELECT workspace_id, CAST(seq AS TEXT) AS seq, hash FROM tool_call_chains ORDER BY workspace_id`;
  const samePosition = `UPDATE tool_calls SET seq = 1 WHERE id = 'c'`;
  it("on SQLite: existing records are numbered per workspace, oldest first, and await their hashes", () => {
    const after = sqliteUpgradedThrough("_activity_chain", rows);
    expect(after.prepare(selectCalls).all()).toEqual(numbered);
    expect(after.prepare(selectHeads).all()).toEqual(heads);
    expect(() => after.exec(samePosition)).toThrow(/UNIQUE constraint failed/);
    after.close();
  });

  it("on PostgreSQL: the same", async () => {
    const url = await postgresUpgradedThrough("_activity_chain", rows);
    await withPostgres(url, async (client) => {
      expect((await client.query(selectCalls)).rows).toEqual(numbered);
      expect((await client.query(selectHeads)).rows).toEqual(heads);
      await expect(client.query(samePosition)).rejects.toThrow(/tool_calls_workspace_id_seq_key/);
    });
  });
});

/**
 * A SQLite database migrated up to the migration ending in `suffix`, given `rows`, then migrated
 * through it: what an existing deployment's data looks like after the upgrade.
 */
function sqliteUpgradedThrough(suffix: string, rows: string[]): Database.Database {
  const upTo = migrationNames("sqlite").findIndex((name) => name.endsWith(suffix));
  const dir = schemaCopy("sqlite", upTo);
  const file = path.join(dir, "upgrade.db");
  const env = { DATABASE_URL: `file:${file}`, PRISMA_SCHEMA_DIR: dir };
  expect(prisma(["migrate", "deploy"], env).status).toBe(0);
  const before = new Database(file);
  for (const sql of rows) before.exec(sql);
  before.close();
  addMigration(dir, "sqlite", migrationNames("sqlite")[upTo]);
  const applied = prisma(["migrate", "deploy"], env);
  expect(applied.status, applied.output).toBe(0);
  return new Database(file);
}

/** The same on a fresh PostgreSQL database; returns its URL. */
async function postgresUpgradedThrough(suffix: string, rows: string[]): Promise<string> {
  const upTo = migrationNames("postgres").findIndex((name) => name.endsWith(suffix));
  const dir = schemaCopy("postgres", upTo);
  const url = freshPostgres();
  const env = { DATABASE_URL: url, PRISMA_SCHEMA_DIR: dir };
  expect(prisma(["migrate", "deploy"], env).status).toBe(0);
  await withPostgres(url, async (client) => {
    for (const sql of rows) await client.query(sql);
  });
  addMigration(dir, "postgres", migrationNames("postgres")[upTo]);
  const applied = prisma(["migrate", "deploy"], env);
  expect(applied.status, applied.output).toBe(0);
  return url;
}

/** The bridge in a directory of its own, seeing the installed packages except `pg`, at `pgVersion`. */
function bridgeWithPg(pgVersion: string): string {
  const dir = tempDir();
  cpSync(path.join(root, "prisma", "engine-bridge"), path.join(dir, "prisma", "engine-bridge"), { recursive: true });
  cpSync(path.join(root, "prisma", "database-url.mjs"), path.join(dir, "prisma", "database-url.mjs"));
  mkdirSync(path.join(dir, "node_modules"));
  for (const name of readdirSync(path.join(root, "node_modules"))) {
    if (name !== "pg") symlinkSync(path.join(root, "node_modules", name), path.join(dir, "node_modules", name));
  }
  cpSync(path.join(root, "node_modules", "pg"), path.join(dir, "node_modules", "pg"), { recursive: true });
  const manifest = path.join(dir, "node_modules", "pg", "package.json");
  writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, "utf8")), version: pgVersion }));
  return path.join(dir, "prisma", "engine-bridge", "schema-engine.mjs");
}

describe("the schema-engine bridge", () => {
  it("refuses to run on packages it was not verified with, and says which and what to do", () => {
    const { version: installed } = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(path.join(root, "node_modules", "pg", "package.json"), "utf8")));
    const file = path.join(tempDir(), "x.db");
    const verified = prisma(["migrate", "deploy"], { DATABASE_URL: `file:${file}`, PRISMA_SCHEMA_ENGINE_BINARY: bridgeWithPg(installed) });
    expect(verified.status, verified.output).toBe(0);

    const other = prisma(["migrate", "deploy"], { DATABASE_URL: `file:${file}`, PRISMA_SCHEMA_ENGINE_BINARY: bridgeWithPg("8.99.0") });
    expect(other.status).not.toBe(0);
    expect(other.output).toContain(`pg 8.99.0, verified with ${installed}`);
    expect(other.output).toContain("PRISMA_SCHEMA_ENGINE_BINARY"); // how to opt out
  });

  it("SQLite, fresh database: migrate deploy creates the file and applies the whole history", () => {
    const dir = tempDir();
    const file = path.join(dir, "nested", "fresh.db");
    const env = { DATABASE_URL: `file:${file}` };
    const result = prisma(["migrate", "deploy"], env);
    expect(result.status, result.output).toBe(0);
    expect(existsSync(file)).toBe(true);
    const status = prisma(["migrate", "status"], env);
    expect(status.status, status.output).toBe(0);
    expect(status.output).toContain("Database schema is up to date");
  });

  it("SQLite, existing empty database: no migrations table reads as no history (not P1014)", () => {
    const dir = tempDir();
    const file = path.join(dir, "empty.db");
    new Database(file).close();
    const status = prisma(["migrate", "status"], { DATABASE_URL: `file:${file}` });
    expect(status.output).not.toContain("does not exist");
    expect(status.output).toContain("Following migrations have not yet been applied");
  });

  it("SQLite, second migrate dev: replays the history on the shadow database and creates only the new migration", () => {
    const dir = schemaCopy("sqlite");
    const env = { DATABASE_URL: `file:${path.join(dir, "dev.db")}`, PRISMA_SCHEMA_DIR: dir };
    expect(prisma(["migrate", "deploy"], env).status).toBe(0);
    const unchanged = prisma(["migrate", "dev", "--name", "nothing"], env);
    expect(unchanged.status, unchanged.output).toBe(0);
    expect(unchanged.output).toContain("Already in sync");

    writeFileSync(path.join(dir, "schema.prisma"), `${readFileSync(path.join(dir, "schema.prisma"), "utf8")}\nmodel Widget {\n  id String @id\n}\n`);
    const changed = prisma(["migrate", "dev", "--name", "add_widget"], env);
    expect(changed.status, changed.output).toBe(0);
    const created = readdirSync(path.join(dir, "migrations")).filter((name) => name.endsWith("_add_widget"));
    expect(created).toHaveLength(1);
    const db = new Database(path.join(dir, "dev.db"));
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'Widget'`).all()).toHaveLength(1);
    db.close();
  });

  it("SQLite, migrate reset: an empty, freshly migrated database", () => {
    const dir = schemaCopy("sqlite");
    const file = path.join(dir, "reset.db");
    const env = { DATABASE_URL: `file:${file}`, PRISMA_SCHEMA_DIR: dir };
    expect(prisma(["migrate", "deploy"], env).status).toBe(0);
    const before = new Database(file);
    before.exec(`INSERT INTO "workspaces" ("id","name") VALUES ('w','kept?')`);
    before.close();
    const reset = prisma(["migrate", "reset", "--force"], env);
    expect(reset.status, reset.output).toBe(0);
    const after = new Database(file);
    expect(after.prepare(`SELECT count(*) AS n FROM workspaces`).get()).toEqual({ n: 0 });
    expect(after.prepare(`SELECT count(*) AS n FROM _prisma_migrations`).get()).toEqual({ n: migrationNames("sqlite").length });
    after.close();
  });

  it("PostgreSQL: migrate dev's shadow database is a separate, temporary database, never the main one", async () => {
    const dir = schemaCopy("postgres");
    const url = freshPostgres();
    const env = { DATABASE_URL: url, PRISMA_SCHEMA_DIR: dir };
    expect(prisma(["migrate", "deploy"], env).status).toBe(0);
    await withPostgres(url, (client) => client.query(`INSERT INTO "workspaces" ("id","name") VALUES ('sentinel','must survive')`));
    expect(await shadowsOf(url)).toEqual([]);

    writeFileSync(path.join(dir, "schema.prisma"), `${readFileSync(path.join(dir, "schema.prisma"), "utf8")}\nmodel Widget {\n  id String @id\n}\n`);
    const result = prisma(["migrate", "dev", "--create-only", "--name", "add_widget"], env);
    expect(result.status, result.output).toBe(0);
    expect(readdirSync(path.join(dir, "migrations")).some((name) => name.endsWith("_add_widget"))).toBe(true);

    await withPostgres(url, async (client) => {
      // Had the shadow been the main database, migrate dev would have wiped it.
      expect((await client.query(`SELECT name FROM workspaces WHERE id = 'sentinel'`)).rows).toEqual([{ name: "must survive" }]);
      // --create-only writes the migration but does not apply it to the main database.
      expect((await client.query<{ t: string | null }>(`SELECT to_regclass('"Widget"') AS t`)).rows[0]?.t).toBeNull();
    });
    expect(await shadowsOf(url)).toEqual([]); // the shadow was dropped
  });
});
