// The MCP gateway against real clients: the MCP Inspector's CLI, and the official conformance
// suite, which must score the same through /mcp/{server_identifier} as against the server directly.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { runServerScenarios, score } from "./support/conformance";
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

test("the conformance suite's server scenarios give the same results through the gateway as directly", async ({ request }) => {
  test.setTimeout(180_000);
  const { server, identifier, token } = await everythingProvider(request);
  // The suite can't send a header: a test-only proxy adds the API token on its way to the console.
  const withToken = await startRecordingProxy(`${base}/mcp/${identifier}`, { addHeaders: { authorization: `Bearer ${token}` } });
  try {
    const direct = await runServerScenarios(server.url);
    const gateway = await runServerScenarios(withToken.url);
    console.log(`conformance server scenarios — direct: ${JSON.stringify(score(direct.results))}; through the gateway: ${JSON.stringify(score(gateway.results))}`);
    expect(score(direct.results).checksPassed).toBeGreaterThan(0);
    expect(gateway.results).toEqual(direct.results);
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
    const available = echo.getByRole("switch", { name: "echo available to agents" });
    await expect(available).toBeChecked();
    await available.click();
    await expect(page.getByText("echo is turned off for agents")).toBeVisible();
    await expect(available).not.toBeChecked();
    await expect(echo.getByRole("button", { name: "Try it" })).toBeDisabled();

    const listed = (await inspector(`${base}/mcp/${identifier}`, token, "--method", "tools/list")) as { tools: { name: string }[] };
    expect(listed.tools.map((t) => t.name)).not.toContain("echo");
    const refused = (await inspector(`${base}/mcp/${identifier}`, token, "--method", "tools/call", "--tool-name", "echo", "--tool-arg", "message=x")) as { isError: boolean; content: { text: string }[] };
    expect(refused.isError).toBe(true);
    expect(refused.content[0].text).toContain("An admin has turned off echo");

    await page.goto("/activity");
    const row = page.getByRole("row").filter({ hasText: "echo" }).first();
    await expect(row).toContainText("MCP client");
    await expect(row).toContainText("tool disabled");

    await page.goto(`/settings/providers/${providerId}`);
    await page.getByRole("listitem", { name: "Tool echo" }).getByRole("switch", { name: "echo available to agents" }).click();
    await expect(page.getByText("echo is available to agents again")).toBeVisible();
  } finally {
    await server.stop();
  }
});
