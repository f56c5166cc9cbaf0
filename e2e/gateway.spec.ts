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
