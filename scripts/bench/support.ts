// What the bench's sections share: the processes they start (consoles, seeding, the upstream MCP
// server, the bare relay), free ports, a throwaway PostgreSQL database, and latency statistics.
import { fork, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { rmSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import pg from "pg";
import { z } from "zod";
import { listenOnFreePort } from "../../e2e/support/ports";
import { postgresConfig } from "../../prisma/database-url.mjs";

export const root = path.resolve(import.meta.dirname, "../..");
export const dataDir = path.join(root, "data", "bench");
export const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
/** BENCH_SECONDS shortens (or lengthens) every timed part of the bench. */
export const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const children: ChildProcess[] = [];
/** BENCH_PROFILE=dir: the console and the hops write CPU profiles there when they stop. */
const profileFlags = () => (process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []);

process.on("exit", () => { children.forEach((child) => child.kill("SIGTERM")); });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(1));

export function baseEnv(databaseUrl: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    DATABASE_URL: databaseUrl,
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    NEXTAUTH_SECRET: "bench-secret-bench-secret-bench-secret-00",
    ENCRYPTION_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    ADMIN_EMAIL: "bench@example.com",
    ADMIN_PASSWORD: "bench-password",
    MCP_ALLOWED_HOSTS: "127.0.0.1",
    ...extra,
  };
}

export function sqliteUrl(name: string) {
  const file = path.join(dataDir, name);
  for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
  return `file:${file}`;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed`);
}

const seedSchema = z.object({ token: z.string().optional(), tokens: z.array(z.string()).optional(), providerId: z.string().optional() });

/** Migrates the (fresh) database `env` names, runs scripts/bench/seed.ts against it and returns what it printed. */
export function seed(env: NodeJS.ProcessEnv, args: string[]) {
  run(bin("prisma"), ["migrate", "deploy"], env);
  const result = spawnSync(bin("tsx"), ["--conditions=react-server", "scripts/bench/seed.ts", ...args], { cwd: root, env, encoding: "utf8", maxBuffer: 1 << 22 });
  if (result.status !== 0) throw new Error(`seeding failed: ${result.stderr}`);
  return seedSchema.parse(JSON.parse(result.stdout));
}

/**
 * A PostgreSQL database of its own for the bench, dropped and created anew (BENCH_POSTGRES_URL, by
 * default mcp_console_bench on the local server). Only on this machine: the bench drops it.
 */
export async function freshPostgres() {
  const url = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/mcp_console_bench";
  const config = postgresConfig(url);
  if (!["127.0.0.1", "localhost", "::1"].includes(config.host)) throw new Error(`the bench drops its database: refusing non-local host ${config.host}`);
  const admin = async (sql: string) => {
    const client = new pg.Client(postgresConfig(url, "postgres"));
    await client.connect().catch((error: unknown) => {
      throw new Error(`the bench needs PostgreSQL at ${config.host}:${config.port} (BENCH_POSTGRES_URL): ${error instanceof Error ? error.message : String(error)}`);
    });
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const name = `"${config.database.replaceAll('"', '""')}"`;
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  return { url, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * Runs `worker` (a script printing JSON, with the react-server condition) against a fresh, migrated
 * SQLite database named after the section and against a fresh PostgreSQL one; returns what each printed.
 */
export async function onBothDatabases<T extends object>(section: string, worker: string, schema: z.ZodType<T>): Promise<({ database: string } & T)[]> {
  const measure = (database: string, url: string) => {
    const env = baseEnv(url, 0);
    run(bin("prisma"), ["migrate", "deploy"], env);
    const result = spawnSync(bin("tsx"), ["--conditions=react-server", worker], { cwd: root, env, encoding: "utf8", maxBuffer: 1 << 20 });
    if (result.status !== 0) throw new Error(`the ${section} bench failed on ${database}: ${result.stderr}`);
    return { database, ...schema.parse(JSON.parse(result.stdout)) };
  };
  const figures = [measure("SQLite", sqliteUrl(`${section}.db`))];
  const postgres = await freshPostgres();
  try {
    figures.push(measure("PostgreSQL", postgres.url));
  } finally {
    await postgres.drop();
  }
  return figures;
}

export type Started = { child: ChildProcess; stop: () => Promise<void> };

function stopper(child: ChildProcess) {
  return () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once("exit", () => { resolve(); });
    child.kill("SIGTERM");
  });
}

export async function startConsole(port: number, env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [...profileFlags(), path.join(root, "server.mjs"), "--hostname", "127.0.0.1", "--port", String(port)], { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });
  children.push(child);
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/signin`)).ok) return { child, stop: stopper(child) };
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`console on ${port} did not start`);
}

/**
 * A port for a console child process, which must know its own URL before it starts. The bench is not
 * a test: if another process takes the port in between, the run fails loudly and is repeated.
 */
export async function unusedPort(): Promise<number> {
  const probe = http.createServer();
  const port = await listenOnFreePort(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const upstreamMessage = z.union([z.object({ url: z.string() }), z.object({ tokens: z.record(z.string(), z.string()) })]);

/** scripts/bench/upstream.ts: the whoami MCP server in a process of its own, trusting `issuer`. */
export async function startUpstream(issuer: string) {
  const child = fork(path.join(root, "scripts", "bench", "upstream.ts"), [issuer], { cwd: root, execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"] });
  children.push(child);
  const next = () => new Promise<z.infer<typeof upstreamMessage>>((resolve, reject) => {
    const onExit = (code: number | null) => { reject(new Error(`the upstream MCP server exited (${code})`)); };
    child.once("exit", onExit);
    child.once("message", (message) => {
      child.off("exit", onExit);
      resolve(upstreamMessage.parse(message));
    });
  });
  const ready = await next();
  if (!("url" in ready)) throw new Error("the upstream MCP server did not say where it listens");
  return {
    url: ready.url,
    /** The last Authorization it received per token subject since the previous ask. */
    tokensBySubject: async () => {
      const answer = next();
      child.send("tokens");
      const message = await answer;
      if (!("tokens" in message)) throw new Error("unexpected answer from the upstream MCP server");
      return message.tokens;
    },
    stop: stopper(child),
  };
}

/** A stand-in relay of scripts/bench (bare-relay.ts, floor-gateway.ts) in a process of its own, told `input` on its stdin. */
async function startHop(script: string, upstreamUrl: string, input: unknown) {
  const child = spawn(process.execPath, [...profileFlags(), "--import", "tsx", path.join(root, "scripts", "bench", script), upstreamUrl], { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  child.stdin.end(JSON.stringify(input));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once("data", (chunk: Buffer) => { resolve(Number(chunk.toString().trim())); });
    child.once("exit", (code) => { reject(new Error(`${script} exited (${code})`)); });
  });
  return { url: `http://127.0.0.1:${port}/mcp`, child, stop: stopper(child) };
}

/** scripts/bench/bare-relay.ts; `authorizations` maps a caller's Authorization to the upstream one. */
export function startBareRelay(upstreamUrl: string, authorizations: Record<string, string>) {
  return startHop("bare-relay.ts", upstreamUrl, authorizations);
}

/** scripts/bench/floor-gateway.ts, for the caller with `apiToken`, who reaches the server with `upstreamAuthorization`. */
export function startFloorGateway(upstreamUrl: string, input: { apiToken: string; upstreamAuthorization: string; database: string }) {
  return startHop("floor-gateway.ts", upstreamUrl, input);
}

/** CPU time a process has used so far, in ms (user + system, from /proc: Linux only, as this machine is). */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

export type Stats = { p50: number; p90: number; p99: number; mean: number; count: number };

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length, count: samples.length };
}

export async function time(fn: () => Promise<void>) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
