// The official conformance suite's authorization-server scenarios (@modelcontextprotocol/conformance
// 0.2.0-alpha.12: `authorization-server-metadata-endpoint`, `authorization-code-grant`) against the
// console's own authorization server on a real socket. The suite prints an authorization URL for a
// person and waits for the redirect to its callback; this test is the person: it follows the URL,
// allows the app as a signed-in member (the consent screen's own decision), and follows the browser
// back. The suite's request sends no `scope`: the console applies its default (RFC 6749 §3.3).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { membershipCaller } from "@/lib/auth/request-auth";
import { oauthPath } from "@/lib/edge/oauth-path.mjs";
import { resetEnvForTests } from "@/lib/env";
import { decideAuthorization } from "@/lib/oauth/interactions";
import { handleOAuthHttp } from "@/lib/oauth/server";
import { createActor } from "./helpers";

const root = path.resolve(import.meta.dirname, "../..");
const SUITE = path.join(root, "node_modules/@modelcontextprotocol/conformance-next/dist/index.js");
let server: http.Server;
let origin: string;

async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  // Mounted as server.mjs mounts it; the issuer names this socket, as NEXTAUTH_URL would.
  server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const mounted = oauthPath(url.split("?")[0] ?? "/", url);
    if (mounted === undefined) {
      res.writeHead(404).end();
      return;
    }
    void handleOAuthHttp(req, res, mounted);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.NEXTAUTH_URL = origin;
  resetEnvForTests();
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/**
 * `fetch`, again after a second when the server is busy (503): oauth.test.ts briefly fills the
 * authorization server's overall limits, and it may run at the same time as this file.
 */
async function fetchUnlessBusy(url: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, init);
    if (res.status !== 503 || attempt === 5) return res;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** A browser that keeps cookies and doesn't follow redirects. */
function browser() {
  const cookies = new Map<string, string>();
  const header = () => [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  return {
    header,
    async get(url: string) {
      const res = await fetchUnlessBusy(url, { headers: { cookie: header() }, redirect: "manual" });
      for (const line of res.headers.getSetCookie()) {
        const [pair = ""] = line.split(";");
        cookies.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1));
      }
      return res;
    },
  };
}

it("passes the conformance suite's authorization-server scenarios", async () => {
  const member = await createActor("member");
  const callbackPort = await freePort();
  const registered = await fetchUnlessBusy(`${origin}/oidc/reg`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ redirect_uris: [`http://127.0.0.1:${callbackPort}/callback`], token_endpoint_auth_method: "none", client_name: "Conformance suite" }),
  });
  expect(registered.status).toBe(201);
  const { client_id: clientId } = (await registered.json()) as { client_id: string };

  const results = mkdtempSync(path.join(tmpdir(), "conformance-as-"));
  const suite = spawn(
    process.execPath,
    ["--import", path.join(root, "scripts/conformance/node20.mjs"), SUITE, "authorization", "--url", `${origin}/oidc`, "--client-id", clientId, "--resource", `${origin}/mcp`, "--port", String(callbackPort), "--output-dir", results],
    { cwd: root, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  suite.stderr.on("data", (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => suite.on("exit", resolve));
  const authorizationUrl = await new Promise<string>((resolve, reject) => {
    suite.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((text) => text.startsWith(`${origin}/oidc/auth?`));
      if (line) resolve(line.trim());
    });
    void exited.then(() => { reject(new Error(`the suite ended without an authorization URL:\n${output}`)); });
  });

  // The person: to the consent screen, Allow, and back to the app's callback.
  const person = browser();
  const toConsent = await person.get(authorizationUrl);
  const consent = new URL(toConsent.headers.get("location") ?? "", origin);
  expect(consent.pathname, output).toMatch(/^\/oauth\/authorize\/[\w-]+$/);
  const caller = await membershipCaller(member.userId, member.workspaceId, "session", false);
  const resume = await decideAuthorization(consent.pathname.split("/").pop() ?? "", person.header(), caller, true);
  const back = await person.get(resume ?? "");
  const callback = back.headers.get("location") ?? "";
  expect(callback.startsWith(`http://127.0.0.1:${callbackPort}/callback?`), callback).toBe(true);
  await fetch(callback);

  const code = await exited;
  const summary = output.slice(output.indexOf("=== SUMMARY ==="));
  console.log(`conformance authorization-server scenarios:\n${summary}`);
  // Each scenario's checks, as the suite saved them: what failed, and why.
  const failures = readdirSync(results, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith("checks.json"))
    .flatMap((file) => JSON.parse(readFileSync(path.join(results, file), "utf8")) as { id: string; status: string; errorMessage?: string }[])
    .filter((check) => check.status === "FAILURE")
    .map((check) => `${check.id}: ${check.errorMessage ?? ""}`);
  rmSync(results, { recursive: true, force: true });
  expect(failures).toEqual([]);
  expect(summary, output).toMatch(/✓ authorization-server-metadata-endpoint: [1-9]\d* passed, 0 failed/);
  expect(summary, output).toMatch(/✓ authorization-code-grant: 1 passed, 0 failed/);
  expect(code, output).toBe(0);
}, 120_000);
