// Starting up: several instances starting at once on one empty database (each a process of its own,
// as behind a load balancer) end with exactly one owner and none of them failing; and a start that
// fails ends the process instead of leaving one that answers 500 to everything.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { isPostgres, resetDbForTests } from "@/lib/db";
import { resetEnvForTests } from "@/lib/env";
import { captureLogsForTests } from "@/lib/log";
import { register } from "@/instrumentation";
import { sqliteFilePath } from "@/prisma/database-url.mjs";
import { present } from "@/tests/support/present";
import { dropPostgresDatabase, withPostgres } from "../setup/postgres";

const root = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const postgres = isPostgres();
const dir = mkdtempSync(path.join(tmpdir(), "mcp-console-startup-"));
let emptyUrl: string;

/** Runs SQL on the empty database (pg or better-sqlite3, whichever it is); returns the first column of each row. */
async function query(sql: string): Promise<unknown[]> {
  if (postgres) return withPostgres(emptyUrl, async (client) => (await client.query(sql)).rows.map((row: Record<string, unknown>) => Object.values(row)[0]));
  const file = new Database(sqliteFilePath(emptyUrl));
  try {
    return /^\s*select/i.test(sql) ? file.prepare(sql).raw().all().map((row) => (row as unknown[])[0]) : (file.exec(sql), []);
  } finally {
    file.close();
  }
}

beforeAll(() => {
  const own = present(process.env.DATABASE_URL, "DATABASE_URL");
  emptyUrl = postgres ? own.replace(/\/([^/?]+)(\?|$)/, "/$1_startup$2") : `file:${path.join(dir, "empty.db")}`;
  execFileSync(path.join(root, "node_modules/.bin/prisma"), ["migrate", "deploy"], { cwd: root, env: { ...process.env, DATABASE_URL: emptyUrl }, stdio: "pipe" });
}, 120_000);

afterAll(async () => {
  if (postgres) await dropPostgresDatabase(emptyUrl);
  rmSync(dir, { recursive: true, force: true });
});

/** One instance's seeding, in a process of its own. */
async function startInstance(): Promise<string> {
  const { stdout } = await run(process.execPath, ["--conditions=react-server", "--import", "tsx", "tests/support/bootstrap-instance.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: emptyUrl, ADMIN_EMAIL: "owner@startup.example", ADMIN_PASSWORD: "correct horse battery", LOG_LEVEL: "error" },
  });
  return stdout.trim();
}

describe("instances starting at once on an empty database", () => {
  it("create exactly one owner between them, and every one of them starts", async () => {
    for (let round = 0; round < 2; round++) {
      for (const table of ["memberships", "users", "workspaces"]) await query(`DELETE FROM ${table}`);
      const answers = await Promise.all([startInstance(), startInstance(), startInstance()]);
      expect(answers.sort()).toEqual(["created", "exists", "exists"]);
      expect(await query("SELECT email FROM users")).toEqual(["owner@startup.example"]);
      expect(await query("SELECT role FROM memberships")).toEqual(["owner"]);
      expect(await query("SELECT name FROM workspaces")).toEqual(["Default workspace"]);
    }
  }, 120_000);
});

describe("a start that fails", () => {
  it("ends the process with exit code 1, saying why", async () => {
    const original = present(process.env.DATABASE_URL, "DATABASE_URL");
    const exitCodes: unknown[] = [];
    const exit = vi.spyOn(process, "exit").mockImplementation((code) => void exitCodes.push(code) as never);
    const lines: string[] = [];
    const stopCapture = captureLogsForTests((line) => lines.push(line), "error");
    // A database nobody migrated: the owner's table isn't there.
    process.env.DATABASE_URL = `file:${path.join(dir, "never-migrated.db")}`;
    process.env.NEXT_RUNTIME = "nodejs";
    resetEnvForTests();
    await resetDbForTests();
    try {
      await register();
    } finally {
      stopCapture();
      exit.mockRestore();
      delete process.env.NEXT_RUNTIME;
      process.env.DATABASE_URL = original;
      resetEnvForTests();
      await resetDbForTests();
    }
    expect(exitCodes).toEqual([1]);
    const fatal = lines.map((line) => JSON.parse(line) as { level: string; msg: string }).filter((line) => line.level === "fatal");
    expect(fatal.map((line) => line.msg)).toEqual(["the console could not start; exiting"]);
  });
});
