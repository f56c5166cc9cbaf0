// The MCP gateway against real clients: the MCP Inspector's CLI, and the official conformance
// suite (0.1.16, and 0.2.0-alpha.12 at 2025-11-25 and 2026-07-28), which must score the same
// through /mcp/{server_identifier} as against our conformance server directly, check by check.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures";
import { compareChecks, runSuite, score, scoredResults, SUITES, type SuiteName } from "./support/conformance";
import { startConformanceServer } from "./support/conformance-server";
import { startEverythingServer } from "./support/everything-server";
import { startRecordingProxy } from "./support/recording-proxy";
import { api, unique } from "./helpers";
import { SERVERS } from "./users";

const base = SERVERS.enterprise;
const run = promisify(execFile);

/** The reference server registered as a provider, and an API token of the signed-in owner. */
async function everythingProvider(request: APIRequestContext) {
  const server = await startEverythingServer();
  const call = api(request, base);
  const identifier = unique("ev");
  const created = await call("POST /api/v1/mcp-providers", { body: { name: `Everything ${identifier}`, server_identifier: identifier, server_url: server.url } });
  expect(created.status).toBe(201);
  const token = await call("POST /api/v1/api-tokens", { body: { name: unique("gateway-") } });
  expect(token.status).toBe(201);
  return { server, identifier, token: token.json.token, providerId: created.json.id };
}

/** `npm run inspect -- …`, as the README tells users to run it. */
async function inspector(url: string, token: string, ...args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, [path.resolve("scripts/inspector.mjs"), url, "--transport", "http", "--header", `Authorization: Bearer ${token}`, ...args], { timeout: 30_000 });
  return JSON.parse(stdout);
}

test("the MCP Inspector's CLI lists and calls tools through the gateway with a personal API token", async ({ request }) => {
  const { server, identifier, token } = await everythingProvider(request);
  try {
    const one = (await inspector(`${base}/mcp/${identifier}`, token, "--method", "tools/list")) as { tools: { name: string }[] };
    expect(one.tools.map((t) => t.name)).toEqual(expect.arrayContaining(["echo", "get-sum"]));
    const echoed = (await inspector(`${base}/mcp/${identifier}`, token, "--method", "tools/call", "--tool-name", "echo", "--tool-arg", "message=hello from the inspector")) as { content: { text: string }[] };
    expect(echoed.content[0].text).toContain("hello from the inspector");
    const all = (await inspector(`${base}/mcp`, token, "--method", "tools/list")) as { tools: { name: string }[] };
    expect(all.tools.map((t) => t.name)).toContain(`${identifier}__echo`);
    await expect(inspector(`${base}/mcp/${identifier}`, "mcpc_wrong", "--method", "tools/list")).rejects.toThrow(/401/);
  } finally {
    await server.stop();
  }
});

test("the conformance suite scores the relay exactly as the server directly, check by check, in both protocol eras", async ({ request }) => {
  test.slow();
  const server = await startConformanceServer();
  const call = api(request, base);
  const identifier = unique("conf");
  const created = await call("POST /api/v1/mcp-providers", { body: { name: `Conformance ${identifier}`, server_identifier: identifier, server_url: server.url } });
  expect(created.status).toBe(201);
  const token = await call("POST /api/v1/api-tokens", { body: { name: unique("conformance-") } });
  // The suite can't send a header: a test-only proxy adds the API token on its way to the console,
  // and stands for the console's public URL (a page of that origin is the console's own).
  const withToken = await startRecordingProxy(`${base}/mcp/${identifier}`, { addHeaders: { authorization: `Bearer ${token.json.token}` }, publicOrigin: new URL(base).origin });
  try {
    const suites = Object.keys(SUITES) as SuiteName[];
    const runs = await Promise.all(suites.map(async (suite) => ({ suite, direct: await runSuite(server.url, suite), gateway: await runSuite(withToken.url, suite) })));
    const differences: Record<string, string[]> = {};
    for (const { suite, direct, gateway } of runs) {
      const [d, g] = [score(scoredResults(direct)), score(scoredResults(gateway))];
      console.log(`conformance ${suite}: directly ${d.checksPassed}/${d.checksPassed + d.checksFailed}, through the gateway ${g.checksPassed}/${g.checksPassed + g.checksFailed} scored checks`);
      expect(d.checksPassed).toBeGreaterThan(0);
      differences[suite] = compareChecks(direct.checks, gateway.checks);
    }
    expect(differences).toEqual(Object.fromEntries(suites.map((suite) => [suite, []])));
  } finally {
    await withToken.stop();
    await server.stop();
  }
});

test("an admin turns a tool off on the provider page: agents lose it, and the activity shows who was refused", async ({ page, request }) => {
  const { server, identifier, token, providerId } = await everythingProvider(request);
  try {
    await page.goto(`/settings/providers/${providerId}`);
    const echo = page.getByRole("listitem", { name: "Tool echo" });
    const policy = echo.getByRole("combobox", { name: "Policy for echo" });
    await expect(policy).toHaveValue("allow");
    await policy.selectOption("deny");
    await expect(page.getByText("echo is turned off for agents")).toBeVisible();
    await expect(policy).toHaveValue("deny");
    await expect(echo.getByRole("button", { name: "Try it" })).toBeDisabled();

    const listed = (await inspector(`${base}/mcp/${identifier}`, token, "--method", "tools/list")) as { tools: { name: string }[] };
    expect(listed.tools.map((t) => t.name)).not.toContain("echo");
    const refused = (await inspector(`${base}/mcp/${identifier}`, token, "--method", "tools/call", "--tool-name", "echo", "--tool-arg", "message=x")) as { isError: boolean; content: { text: string }[] };
    expect(refused.isError).toBe(true);
    expect(refused.content[0].text).toContain("An admin has turned off echo");

    // The activity log is written in small batches: the refused call shows up within moments.
    const row = page.getByRole("row").filter({ hasText: `${identifier} · echo` }).first();
    await expect(async () => {
      await page.goto("/activity");
      await expect(row).toContainText("MCP client", { timeout: 1000 });
    }).toPass();
    await expect(row).toContainText("tool disabled");

    await page.goto(`/settings/providers/${providerId}`);
    await page.getByRole("listitem", { name: "Tool echo" }).getByRole("combobox", { name: "Policy for echo" }).selectOption("allow");
    await expect(page.getByText("echo is available to agents without asking")).toBeVisible();
  } finally {
    await server.stop();
  }
});

test("the production server answers the gateway itself, with the edge's headers, limits and errors", async ({ request }) => {
  const { server, identifier, token } = await everythingProvider(request);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" };
  const initialize = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "e2e", version: "1" } } });
  try {
    // A percent-encoded identifier names the same provider, and the answer carries the edge's headers.
    const encoded = `${base}/mcp/${encodeURIComponent(identifier).replace(/^e/, "%65")}`;
    const introduced = await fetch(encoded, { method: "POST", headers, body: initialize });
    expect(introduced.status).toBe(200);
    expect(introduced.headers.get("mcp-session-id")).toBeTruthy();
    expect(introduced.headers.get("x-content-type-options")).toBe("nosniff");
    expect(introduced.headers.get("x-request-id")).toBeTruthy();
    expect(await introduced.text()).toContain('"serverInfo"');

    const tooBig = await fetch(`${base}/mcp`, { method: "POST", headers, body: `{"pad":"${"x".repeat(5 * 1024 * 1024)}"}` });
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { code: string }).code).toBe("payload_too_large");
    const garbled = await fetch(`${base}/mcp`, { method: "POST", headers, body: "{not json" });
    expect(garbled.status).toBe(400);
    expect(((await garbled.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const unknown = await fetch(`${base}/mcp/${unique("nobody")}`, { method: "POST", headers, body: initialize });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/problem+json");
    expect((await fetch(`${base}/mcp`, { method: "PUT", headers, body: "{}" })).status).toBe(405);
    // Not the gateway's paths: Next.js answers as for any unknown path.
    expect((await fetch(`${base}/mcp/${identifier}/deeper`, { method: "POST", headers, body: initialize })).status).toBe(404);

    // An event stream is sent as it is written, and a client that leaves frees its place (10 per user).
    const openStream = async () => {
      const abort = new AbortController();
      const stream = await fetch(`${base}/mcp`, { headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" }, signal: abort.signal });
      const first = stream.status === 200 && stream.body ? new TextDecoder().decode((await stream.body.getReader().read()).value) : "";
      abort.abort();
      return { status: stream.status, first };
    };
    const firstStream = await openStream();
    expect(firstStream.status).toBe(200);
    expect(firstStream.first).toContain("listening for changes");
    for (let i = 0; i < 12; i++) await openStream();
    await expect.poll(async () => (await openStream()).status).toBe(200);
  } finally {
    await server.stop();
  }
});
