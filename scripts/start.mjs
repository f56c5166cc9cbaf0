// `npm start`: the quick start on the embedded default (SQLite). Creates .env with generated
// secrets and an owner account on first run, migrates the database, builds if needed, and serves
// the console on http://127.0.0.1:3000 (PORT to change it).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const envFile = path.join(root, ".env");
const port = process.env.PORT ?? "3000";

function readEnvFile() {
  if (!existsSync(envFile)) return {};
  return Object.fromEntries(
    readFileSync(envFile, "utf8")
      .split("\n")
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

function ensureEnvFile() {
  const current = readEnvFile();
  const defaults = {
    DATABASE_URL: "file:./data/mcp-console.db",
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ENTERPRISE_ENABLED: "false",
    ADMIN_EMAIL: "admin@example.com",
    ADMIN_PASSWORD: randomBytes(9).toString("base64url"),
  };
  const missing = Object.entries(defaults).filter(([key]) => !current[key] && !process.env[key]);
  if (missing.length > 0) {
    const lines = missing.map(([key, value]) => `${key}=${value}`).join("\n");
    writeFileSync(envFile, `${existsSync(envFile) ? readFileSync(envFile, "utf8").trimEnd() + "\n" : "# Written by npm start on first run. Keep ENCRYPTION_KEY: without it stored secrets can't be read.\n"}${lines}\n`, { mode: 0o600 });
    console.log(`Wrote ${missing.map(([key]) => key).join(", ")} to .env`);
  }
  return { ...readEnvFile(), ...process.env };
}

function run(command, args, env) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const env = ensureEnvFile();
const bin = (name) => path.join(root, "node_modules", ".bin", name);

run(bin("prisma"), ["migrate", "deploy"], env);
if (!existsSync(path.join(root, ".next", "BUILD_ID")) || process.argv.includes("--build")) run(bin("next"), ["build"], env);

console.log(`\nMCP Console: http://127.0.0.1:${port}`);
if (env.ADMIN_EMAIL && env.ADMIN_PASSWORD) console.log(`Sign in as ${env.ADMIN_EMAIL} with the password ${env.ADMIN_PASSWORD} (from .env; it only applies to an empty database).\n`);

const server = spawn(bin("next"), ["start", "--hostname", "127.0.0.1", "--port", port], { cwd: root, stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
