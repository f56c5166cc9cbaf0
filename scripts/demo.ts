// `npm run demo`: identity forwarding working in two minutes. Starts a test OpenID Provider, the
// whoami MCP server and the console (enterprise enabled, fresh SQLite database, a provider with
// forwarding on already registered), then tells you how to see it.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { startIdentityStack, OIDC_CLIENT } from "../e2e/support/identity-stack";

const root = path.resolve(import.meta.dirname, "..");
const consolePort = Number(process.env.PORT ?? 3000);
const idpPort = 4000;
const whoamiPort = 4001;
const consoleUrl = `http://127.0.0.1:${consolePort}`;
const users = [
  { sub: "ada", email: "ada@example.com", name: "Ada Lovelace", password: "ada-password" },
  { sub: "grace", email: "grace@example.com", name: "Grace Hopper", password: "grace-password" },
];

async function assertFree(port: number) {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer().once("error", () => { reject(new Error(`Port ${port} is in use: stop what runs there, or set PORT for the console.`)); });
    probe.listen(port, "127.0.0.1", () => probe.close(() => { resolve(); }));
  });
}

for (const port of [consolePort, idpPort, whoamiPort]) await assertFree(port);

const dbFile = path.join(root, "data", "demo.db");
for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${dbFile}${suffix}`, { force: true });
Object.assign(process.env, {
  NODE_ENV: "production",
  DATABASE_URL: `file:${dbFile}`,
  NEXTAUTH_URL: consoleUrl,
  NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
  ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  ENTERPRISE_ENABLED: "true",
  OIDC_ISSUER: `http://127.0.0.1:${idpPort}`,
  OIDC_CLIENT_ID: OIDC_CLIENT.client_id,
  OIDC_CLIENT_SECRET: OIDC_CLIENT.client_secret,
  ADMIN_EMAIL: "admin@example.com",
  ADMIN_PASSWORD: "demo-admin-password",
  MCP_ALLOWED_HOSTS: "127.0.0.1",
});

const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const run = (command: string, args: string[]) => {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

const stack = await startIdentityStack({ idpPort, whoamiPort, consoleUrls: [consoleUrl], users });
run(bin("prisma"), ["migrate", "deploy"]);

// Seed: the owner, and a provider that forwards identity to the whoami server.
const { bootstrapOwner } = await import("@/lib/auth/bootstrap");
const { db } = await import("@/lib/db");
const { createProvider } = await import("@/lib/providers/data");
const { createProviderSchema } = await import("@/lib/providers/schemas");
await bootstrapOwner();
const owner = await db().user.findFirstOrThrow();
const workspace = await db().workspace.findFirstOrThrow();
await createProvider({
  workspaceId: workspace.id,
  userId: owner.id,
  input: createProviderSchema.parse({
    name: "Whoami (demo)",
    server_identifier: "whoami",
    server_url: stack.whoami.url,
    icon: { type: "emoji", content: "🪪", background: "#DCFCE7" },
    identity_mode: "idp_token",
  }),
});
await db().$disconnect();

if (!existsSync(path.join(root, ".next", "BUILD_ID"))) run(bin("next"), ["build"]);

const server = spawn(process.execPath, [path.join(root, "server.mjs"), "--hostname", "127.0.0.1", "--port", String(consolePort)], { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: process.env });
await new Promise((resolve) => setTimeout(resolve, 1500));
console.log(`
  MCP Console demo — identity forwarding

  1. Open ${consoleUrl} and click "Sign in with SSO".
  2. Sign in at the test identity provider as ada@example.com / ada-password.
  3. Open "Whoami (demo)", press "Refresh tools", then "Try it" → "Call whoami": the MCP server
     answers "ada" — it received a token minted for Ada, with its own URL as the audience.
  4. Sign out and do the same as grace@example.com / grace-password: the answer is "grace".
  5. Signed in locally instead (admin@example.com / demo-admin-password), the call is refused
     with "Sign in with SSO again…" and the server receives nothing.

  Test IdP: ${stack.idp.issuer}   whoami MCP server: ${stack.whoami.url}   Ctrl-C stops everything.
`);

const stop = () => {
  server.kill("SIGTERM");
  void stack.stop().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", () => void stack.stop().then(() => process.exit(0)));
