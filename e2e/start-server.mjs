// Starts one console for the browser tests: a fresh SQLite database, migrated, with an owner and a
// member (e2e/users.ts), served from the production build. `--enterprise` turns identity forwarding on.
import { spawn, spawnSync } from "node:child_process";
import { rmSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    port: { type: "string" },
    enterprise: { type: "boolean", default: false },
    name: { type: "string" },
    hardening: { type: "boolean", default: false },
    "trusted-proxies": { type: "string" },
  },
});
const dataDir = path.join(root, "e2e", ".data");
mkdirSync(dataDir, { recursive: true });
const dbFile = path.join(dataDir, `${values.name}.db`);
for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${dbFile}${suffix}`, { force: true });


const env = {
  ...process.env,
  NODE_ENV: "production",
  DATABASE_URL: `file:${dbFile}`,
  NEXTAUTH_URL: `http://127.0.0.1:${values.port}`,
  NEXTAUTH_SECRET: "e2e-secret-e2e-secret-e2e-secret-e2e-secret",
  ENCRYPTION_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
  ENTERPRISE_ENABLED: values.enterprise ? "true" : "false",
  MCP_ALLOWED_HOSTS: "127.0.0.1", // the test MCP servers run on loopback
  ...(values["trusted-proxies"] ? { TRUSTED_PROXIES: values["trusted-proxies"] } : {}),
  // The enterprise console signs in with SSO at the test IdP (e2e/support/identity-stack.ts).
  ...(values.enterprise
    ? { OIDC_ISSUER: "http://127.0.0.1:3190", OIDC_CLIENT_ID: "mcp-console", OIDC_CLIENT_SECRET: "mcp-console-dev-secret" }
    : {}),
  ADMIN_EMAIL: "owner@e2e.test",
  ADMIN_PASSWORD: "owner-password-123",
};
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, env, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run(bin("prisma"), ["migrate", "deploy"]);
run(bin("tsx"), ["--conditions=react-server", "scripts/add-user.ts", "--email", "member@e2e.test", "--password", "member-password-123", "--role", "member"]);
run(bin("tsx"), ["--conditions=react-server", "scripts/add-user.ts", "--email", "local@e2e.test", "--password", "local-password-123", "--role", "member"]);
if (values.hardening) {
  run(bin("tsx"), ["--conditions=react-server", "e2e/support/seed-user.ts", "--email", "victim@e2e.test", "--password", "victim-password-123"]);
  run(bin("tsx"), ["--conditions=react-server", "e2e/support/seed-user.ts", "--email", "orphan@e2e.test", "--password", "orphan-password-123", "--no-workspace"]);
}
const server = spawn(process.execPath, [path.join(root, "server.mjs"), "--hostname", "127.0.0.1", "--port", values.port], { cwd: root, env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
