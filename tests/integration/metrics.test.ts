// /metrics as Prometheus scrapes it: real tool calls through the gateway and the REST API to a real
// MCP server, identity tokens minted at a real identity provider, a rate limit refusing, and the
// scrape read with a Prometheus text-format parser — plus who may scrape, and what each one sees.
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as metricsRoute } from "@/app/metrics/route";
import { backgroundTasksSettled } from "@/lib/background";
import { resetEnvForTests } from "@/lib/env";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { LIMITS, useLimitForTests } from "@/lib/rate-limit";
import { startConformanceServer, type ConformanceServer } from "../../e2e/support/conformance-server";
import { startMcpAuthServer } from "../../e2e/support/mcp-auth-server";
import { startWhoamiServer } from "../../e2e/support/whoami-server";
import { call, createActor, ORIGIN, sessionCookie, type Actor } from "./helpers";
import { callWhoami, startIdentityFixture, type IdentityFixture } from "./identity-fixture";
import { connectV1, gatewayRequest } from "./relay-fixture";

const METRICS_TOKEN = "metrics-token-0123456789-0123456789-abc";
const EVERYTHING = `Bearer ${METRICS_TOKEN}`;

type Scrape = { status: number; headers: Headers; text: string };

async function scrape(authorization?: string, cookie?: string): Promise<Scrape> {
  const headers = new Headers();
  if (authorization) headers.set("authorization", authorization);
  if (cookie) headers.set("cookie", cookie);
  const res = await metricsRoute(new Request(`${ORIGIN}/metrics`, { headers }));
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/**
 * The value of the samples named `name` whose labels include `match`, added up (0 when there are
 * none). parse-prometheus-text-format 1.1.1 folds all of a histogram's label sets into one, so a
 * histogram is read here as the plain series it is written as (`_bucket`, `_sum`, `_count`).
 */
function valueOf(text: string, name: string, match: Record<string, string> = {}): number {
  const asSeries = parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, "# TYPE $1 untyped"));
  let total = 0;
  for (const family of asSeries) {
    if (family.name !== name || family.type === "HISTOGRAM" || family.type === "SUMMARY") continue;
    for (const sample of family.metrics) {
      const labels = sample.labels ?? {};
      if (Object.entries(match).every(([label, value]) => labels[label] === value)) total += Number(sample.value);
    }
  }
  return total;
}

/** The scrape's metric families by name, with their types, as the parser reads them. */
function familiesOf(text: string) {
  return new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family]));
}

let server: ConformanceServer;
let adminA: Actor & { email: string };
let memberA: Actor & { email: string };
let adminB: Actor & { email: string };
let providerX: { id: string; server_identifier: string; name: string };
let providerY: { id: string; server_identifier: string; name: string };

async function callSimpleText(actor: Actor, providerId: string) {
  const called = await call(actor, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "test_simple_text" }, body: { arguments: {} } });
  expect(called.status, called.text).toBe(200);
}

async function addProvider(actor: Actor, name: string, identifier: string) {
  const created = await call(actor, "POST /api/v1/mcp-providers", { body: { name, server_identifier: identifier, server_url: server.url } });
  expect(created.status, created.text).toBe(201);
  await backgroundTasksSettled();
  return created.json;
}

beforeAll(async () => {
  process.env.METRICS_TOKEN = METRICS_TOKEN;
  resetEnvForTests();
  server = await startConformanceServer();
  adminA = await createActor("admin");
  memberA = await createActor("member", adminA.workspaceId);
  adminB = await createActor("owner");
  const tag = Math.random().toString(36).slice(2, 8);
  providerX = await addProvider(adminA, `Metrics X ${tag}`, `mx-${tag}`);
  providerY = await addProvider(adminB, `Metrics Y ${tag}`, `my-${tag}`);
}, 60_000);

afterAll(async () => {
  closeWarmSessionsForTests();
  await server.stop();
  Reflect.deleteProperty(process.env, "METRICS_TOKEN");
  resetEnvForTests();
});

describe("tool calls, sessions and streams", () => {
  it("counts each call by provider, path and outcome, and times it in the histogram", async () => {
    const client = await connectV1(`/mcp/${providerX.server_identifier}`, memberA.token ?? "");
    try {
      for (let i = 0; i < 3; i++) expect((await client.callTool({ name: "test_simple_text" })).isError).toBeFalsy();
      expect((await client.callTool({ name: "test_error_handling" })).isError).toBe(true);
    } finally {
      await client.close();
    }
    const y = { workspace_id: adminB.workspaceId, provider_id: providerY.id };
    const yCalls = (scraped: string) => valueOf(scraped, "mcp_console_tool_calls_total", { ...y, via: "api", outcome: "ok" });
    const yBefore = yCalls((await scrape(EVERYTHING)).text);
    await callSimpleText(adminB, providerY.id);

    const { status, headers, text } = await scrape(EVERYTHING);
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const families = familiesOf(text);
    expect(families.get("mcp_console_tool_calls_total")?.type).toBe("COUNTER");
    expect(families.get("mcp_console_tool_call_duration_seconds")?.type).toBe("HISTOGRAM");

    const x = { workspace_id: adminA.workspaceId, provider_id: providerX.id };
    expect(valueOf(text, "mcp_console_tool_calls_total", { ...x, via: "gateway", outcome: "ok" })).toBe(3);
    expect(valueOf(text, "mcp_console_tool_calls_total", { ...x, via: "gateway", outcome: "tool_error" })).toBe(1);
    expect(valueOf(text, "mcp_console_tool_calls_total", { ...x, via: "gateway" })).toBe(4);
    expect(valueOf(text, "mcp_console_tool_call_duration_seconds_count", { ...x, via: "gateway" })).toBe(4);
    expect(valueOf(text, "mcp_console_tool_call_duration_seconds_bucket", { ...x, via: "gateway", le: "+Inf" })).toBe(4);
    // Every call fits the largest finite bucket (five minutes), and the buckets only grow.
    expect(valueOf(text, "mcp_console_tool_call_duration_seconds_bucket", { ...x, via: "gateway", le: "300" })).toBe(4);
    expect(valueOf(text, "mcp_console_tool_call_duration_seconds_sum", { ...x, via: "gateway" })).toBeGreaterThan(0);
    expect(yCalls(text) - yBefore).toBe(1);

    // The ids are named by the info series, as the database has them now.
    expect(valueOf(text, "mcp_console_provider_info", { ...x, provider_name: providerX.name, server_identifier: providerX.server_identifier })).toBe(1);
    expect(valueOf(text, "mcp_console_provider_info", { ...y, provider_name: providerY.name })).toBe(1);
  });

  it("forgets a deleted provider's series: providers made and deleted again don't pile series up", async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const owner = await createActor("owner");
    const gone = await addProvider(owner, `Metrics gone ${tag}`, `mg-${tag}`);
    await callSimpleText(owner, gone.id);
    const calls = (text: string) => valueOf(text, "mcp_console_tool_calls_total", { provider_id: gone.id });
    expect(calls((await scrape(EVERYTHING)).text)).toBe(1);
    expect((await call(owner, "DELETE /api/v1/mcp-providers/{id}", { params: { id: gone.id } })).status).toBe(204);
    const { text } = await scrape(EVERYTHING);
    expect(text).not.toContain(gone.id);
  });

  it("counts the sessions the gateway opens, and holds the streams open now", async () => {
    const workspace = { workspace_id: adminA.workspaceId };
    const before = await scrape(EVERYTHING);
    const relayed = await connectV1(`/mcp/${providerX.server_identifier}`, memberA.token ?? "");
    const whole = await connectV1("/mcp", memberA.token ?? "");
    await Promise.all([relayed.close(), whole.close()]);
    const after = await scrape(EVERYTHING);
    for (const endpoint of ["provider", "workspace"]) {
      const opened = (text: string) => valueOf(text, "mcp_console_gateway_sessions_opened_total", { ...workspace, endpoint });
      expect(opened(after.text) - opened(before.text)).toBe(1);
    }

    const open = async () => valueOf((await scrape(EVERYTHING)).text, "mcp_console_gateway_open_streams", { ...workspace, endpoint: "workspace" });
    const leave = new AbortController();
    const stream = await gatewayRequest("/mcp", { method: "GET", token: memberA.token, headers: { accept: "text/event-stream" }, signal: leave.signal });
    expect(stream.status).toBe(200);
    expect(await open()).toBe(1);
    leave.abort();
    await stream.body?.cancel().catch(() => undefined);
    await expect.poll(open).toBe(0);
  });
});

describe("rate limits", () => {
  it("counts a refusal under the limit that refused it", async () => {
    const refusals = (text: string) => valueOf(text, "mcp_console_rate_limit_refusals_total", { limit: LIMITS.workspacesPerUser.name });
    const before = refusals((await scrape(EVERYTHING)).text);
    await useLimitForTests(LIMITS.workspacesPerUser, adminB.userId, LIMITS.workspacesPerUser.max);
    const refused = await call(adminB, "POST /api/v1/workspaces", { body: { name: "One too many" } });
    expect(refused.status).toBe(429);
    const after = (await scrape(EVERYTHING)).text;
    expect(refusals(after) - before).toBe(1);
    // Every limit is a series before its first refusal.
    expect(familiesOf(after).get("mcp_console_rate_limit_refusals_total")?.metrics.length).toBeGreaterThanOrEqual(Object.values(LIMITS).filter((limit) => limit.max > 0).length);
  });
});

describe("who may scrape", () => {
  beforeAll(async () => {
    await callSimpleText(memberA, providerX.id);
    await callSimpleText(adminB, providerY.id);
  });

  it("refuses no token, a bad one, another scheme and a session cookie with 401 and a Bearer challenge", async () => {
    const cookie = await sessionCookie(adminA.userId);
    for (const [authorization, withCookie] of [[undefined, undefined], ["Bearer not-a-token", undefined], [`Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString("base64")}`, undefined], [undefined, cookie]] as const) {
      const refused = await scrape(authorization, withCookie);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect(refused.text).not.toContain("mcp_console_");
    }
  });

  it("refuses a member's token with 403", async () => {
    const refused = await scrape(`Bearer ${memberA.token}`);
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain("mcp_console_");
  });

  it("shows an admin's token its own workspace's series only", async () => {
    const { status, text } = await scrape(`Bearer ${adminA.token}`);
    expect(status).toBe(200);
    expect(valueOf(text, "mcp_console_tool_calls_total", { provider_id: providerX.id })).toBeGreaterThan(0);
    expect(valueOf(text, "mcp_console_provider_info", { provider_id: providerX.id, provider_name: providerX.name })).toBe(1);
    // Nothing of workspace B: not its provider's id or name, not its id, not its calls.
    for (const secret of [providerY.id, providerY.name, providerY.server_identifier, adminB.workspaceId]) expect(text).not.toContain(secret);
    // Every sample is workspace A's; the process and the rate limits are the operator's.
    for (const family of parsePrometheusTextFormat(text)) {
      expect(family.name).toMatch(/^mcp_console_/);
      for (const sample of family.metrics) if (sample.labels) expect(sample.labels.workspace_id).toBe(adminA.workspaceId);
    }
    expect(familiesOf(text).has("mcp_console_rate_limit_refusals_total")).toBe(false);
    expect(familiesOf(text).has("process_cpu_user_seconds_total")).toBe(false);
  });

  it("shows METRICS_TOKEN every workspace's series and the process's", async () => {
    const { status, text } = await scrape(EVERYTHING);
    expect(status).toBe(200);
    expect(valueOf(text, "mcp_console_tool_calls_total", { workspace_id: adminA.workspaceId })).toBeGreaterThan(0);
    expect(valueOf(text, "mcp_console_tool_calls_total", { workspace_id: adminB.workspaceId })).toBeGreaterThan(0);
    expect(valueOf(text, "mcp_console_workspace_info", { workspace_id: adminB.workspaceId })).toBe(1);
    expect(familiesOf(text).has("process_cpu_user_seconds_total")).toBe(true);
  });
});

describe("identity tokens", () => {
  let f: IdentityFixture;
  beforeAll(async () => {
    f = await startIdentityFixture();
    f.reset();
  }, 60_000);
  afterAll(() => f.stop());

  it("counts one mint and then cache hits for a user's forwarded calls", async () => {
    const admin = await createActor("admin");
    const p = await f.provider(admin, f.whoami.url, "idp_token");
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const labels = { workspace_id: admin.workspaceId, mode: "idp_token" };
    const before = (await scrape(EVERYTHING)).text;
    for (let i = 0; i < 3; i++) expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    expect(f.issuerCalls()).toBe(1);
    const after = (await scrape(EVERYTHING)).text;
    const grew = (name: string, match: Record<string, string>) => valueOf(after, name, match) - valueOf(before, name, match);
    expect(grew("mcp_console_token_mints_total", { ...labels, outcome: "ok" })).toBe(1);
    expect(grew("mcp_console_token_mint_duration_seconds_count", labels)).toBe(1);
    expect(grew("mcp_console_token_cache_lookups_total", { ...labels, result: "miss" })).toBe(1);
    expect(grew("mcp_console_token_cache_lookups_total", { ...labels, result: "hit" })).toBe(2);
  });
});

describe("OAuth tokens", () => {
  it("counts a machine grant's token request as a mint, and none while the token lasts", async () => {
    const as = await startMcpAuthServer({ clients: [{ client_id: "metrics-machine", client_secret: "metrics-machine-secret-0123456789", grant_types: ["client_credentials"] }], resources: [] });
    const whoami = await startWhoamiServer({ issuer: as.issuer });
    as.allowResources([whoami.url]);
    try {
      const admin = await createActor("admin");
      const before = (await scrape(EVERYTHING)).text;
      const authentication = { type: "oauth", connection: "shared", grant_type: "client_credentials", client_id: "metrics-machine", client_secret: "metrics-machine-secret-0123456789" };
      const created = await call(admin, "POST /api/v1/mcp-providers", { body: { name: "Machine", server_identifier: "machine", server_url: whoami.url, authentication } });
      expect(created.status, created.text).toBe(201);
      await backgroundTasksSettled();
      for (let i = 0; i < 2; i++) {
        const called = await call(admin, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: created.json.id, tool: "whoami" }, body: { arguments: {} } });
        expect(called.json.is_error, called.text).toBe(false);
      }
      expect(as.tokenRequests("client_credentials")).toHaveLength(1);
      const after = (await scrape(EVERYTHING)).text;
      const labels = { workspace_id: admin.workspaceId, mode: "oauth_client_credentials" };
      expect(valueOf(after, "mcp_console_token_mints_total", { ...labels, outcome: "ok" }) - valueOf(before, "mcp_console_token_mints_total", { ...labels, outcome: "ok" })).toBe(1);
      expect(valueOf(after, "mcp_console_token_mint_duration_seconds_count", labels)).toBe(1);
    } finally {
      await whoami.stop();
      await as.stop();
    }
  });
});
