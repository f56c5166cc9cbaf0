// `npm start`: the quick start on the embedded default (SQLite). Creates .env with generated
// secrets and an owner account on first run, migrates the database, builds if needed, and serves
// the console on http://127.0.0.1:3000 (PORT to change it).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { prepareEnvFile, startupLines } from "./lib/env-file.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = process.env.PORT ?? "3000";
const { values, written } = prepareEnvFile({ file: path.join(root, ".env"), port });
// Air-gapped installs must not try to phone home.
const env = { ...values, NEXT_TELEMETRY_DISABLED: "1" };

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const bin = (name) => path.join(root, "node_modules", ".bin", name);
run(bin("prisma"), ["migrate", "deploy"]);
if (!existsSync(path.join(root, ".next", "BUILD_ID")) || process.argv.includes("--build")) run(bin("next"), ["build"]);

console.log(`\n${startupLines({ values, written, port }).join("\n")}\n`);

const server = spawn(process.execPath, [path.join(root, "server.mjs"), "--hostname", "127.0.0.1", "--port", port], { cwd: root, stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
