// Property-based fuzzing of every v1 route (fast-check, seeded and reproducible): 10,000 generated
// requests with malformed bodies, queries, path params and headers. For each: no 5xx, every error
// is problem+json with a known code, and a rejected request changes no row.
// Reproduce a failure with FUZZ_SEED=<seed printed by fast-check>.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_STATUS } from "@/lib/api/errors";
import { db } from "@/lib/db";
import { startEverythingServer } from "../../e2e/support/everything-server";
import { call, callPath, createActor, ORIGIN, sessionCookie, uniqueProvider, type Actor } from "../integration/helpers";

/** What a client can put on the wire as a header value: no control characters (tab aside). */
function withoutControlCharacters(value: string): string {
  return Array.from(value, (c) => (c === "\t" || (c >= " " && c !== "\u007f") ? c : "")).join("");
}

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

let admin: Actor;
let cookie: string;
let live: { id: string }; // a provider whose server answers: tool routes reach a real MCP server
let target: { id: string } | undefined; // a provider the fuzzer may patch or delete
let everything: Awaited<ReturnType<typeof startEverythingServer>>;

beforeAll(async () => {
  everything = await startEverythingServer();
  admin = await createActor("admin");
  cookie = await sessionCookie(admin.userId);
  const created = await call(admin, "POST /api/v1/mcp-providers", { body: { name: "Live", server_identifier: "live", server_url: everything.url } });
  live = created.json;
  target = await ensureTarget();
}, 60_000);

afterAll(async () => {
  await everything.stop();
});

async function ensureTarget(): Promise<{ id: string }> {
  if (target && (await db().mcpProvider.findFirst({ where: { id: target.id } }))) return target;
  const created = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider() });
  return created.json;
}

/** Everything the workspace holds, to prove a rejected request wrote nothing (discovery results, written in the background, aside). */
async function snapshot() {
  const [providers, tokens, audits] = await Promise.all([
    db().mcpProvider.findMany({ where: { workspaceId: admin.workspaceId }, orderBy: { id: "asc" } }),
    db().apiToken.count({ where: { workspaceId: admin.workspaceId } }),
    db().auditEvent.count({ where: { workspaceId: admin.workspaceId } }),
  ]);
  return JSON.stringify({ providers: providers.map(({ toolsFetchedAt: _t, tools: _tools, toolsCount: _n, authed: _a, discoveryStatus: _s, discoveryFailure: _f, discoveryMessage: _m, discoveryAt: _at, ...rest }) => rest), tokens, audits });
}

const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom("", " ", "null", "undefined", "NaN", "-1", "1e999", "0x10", "../../etc/passwd", "%00", "\u0000", "<script>", "' OR 1=1 --", "😀".repeat(50), "a".repeat(5000)),
);

const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.constant(null),
  fc.array(fc.anything()),
  fc.dictionary(weirdString, fc.jsonValue()),
);

// Valid-looking provider bodies with one or more fields broken: the shapes real clients send.
const providerish = fc.record(
  {
    name: fc.oneof(weirdString, fc.jsonValue()),
    server_identifier: fc.oneof(weirdString, fc.stringMatching(/^[a-z0-9_-]{1,30}$/), fc.jsonValue()),
    server_url: fc.oneof(weirdString, fc.webUrl(), fc.constantFrom("http://127.0.0.1:1/mcp", "javascript:alert(1)", "file:///etc/passwd", "http://[::1]/", "https://user:pw@host/"), fc.jsonValue()),
    icon: fc.oneof(fc.constant(null), jsonish, fc.record({ type: fc.constantFrom("emoji", "url", "svg"), content: weirdString, background: weirdString, url: weirdString })),
    headers: fc.oneof(fc.constant(null), jsonish, fc.dictionary(weirdString, fc.oneof(weirdString, fc.constant(null), fc.jsonValue()))),
    authentication: fc.oneof(fc.constant(null), jsonish, fc.record({ client_id: fc.oneof(weirdString, fc.jsonValue()), client_secret: fc.oneof(weirdString, fc.constant(null)) })),
    configuration: fc.oneof(fc.constant(null), jsonish, fc.record({ timeout: fc.oneof(fc.integer(), fc.double(), weirdString), sse_read_timeout: fc.oneof(fc.integer(), fc.double(), weirdString) })),
    identity_mode: fc.oneof(fc.constantFrom("off", "idp_token", "token_exchange", "id_jag", "OFF", ""), fc.jsonValue()),
    identity_settings: fc.oneof(
      fc.constant(null),
      jsonish,
      fc.record(
        {
          subject_token_type: fc.oneof(fc.constantFrom("access_token", "id_token", "refresh_token"), fc.constant(null), fc.jsonValue()),
          profile: fc.oneof(fc.constantFrom("rfc8693", "entra_obo"), fc.constant(null), weirdString),
          scope: fc.oneof(weirdString, fc.constant(null)),
          client_id: fc.oneof(weirdString, fc.constant(null), fc.jsonValue()),
          client_secret: fc.oneof(weirdString, fc.constant(null)),
        },
        { requiredKeys: [] },
      ),
    ),
    extra_field: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  { weight: 4, arbitrary: providerish.map((value) => ({ json: value })) },
  { weight: 2, arbitrary: jsonish.map((value) => ({ json: value })) },
  { weight: 1, arbitrary: fc.record({ arguments: fc.oneof(jsonish, fc.dictionary(weirdString, fc.jsonValue())) }).map((value) => ({ json: value })) },
  { weight: 1, arbitrary: fc.record({ name: weirdString }).map((value) => ({ json: value })) },
  { weight: 2, arbitrary: fc.oneof(fc.string(), fc.constantFrom("{", "[1,", '{"a":}', "\u0000", "{}".repeat(1000), "x".repeat(300_000))).map((raw) => ({ raw })) },
  { weight: 1, arbitrary: fc.constant({}) },
);

const id = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant("TARGET") },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: weirdString.map((value) => `x${encodeURIComponent(value)}`) },
  );

// Tool routes reach the network: aim them at the live server (or at ids that don't exist).
const toolTarget = fc.oneof(
  { weight: 3, arbitrary: fc.constant("LIVE") },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: weirdString.map((value) => `x${encodeURIComponent(value)}`) },
);

const routes = fc.oneof(
  fc.record({ method: fc.constantFrom("GET", "POST"), path: fc.constant("/api/v1/mcp-providers") }),
  fc.record({ method: fc.constantFrom("GET", "PATCH", "DELETE"), path: id().map((value) => `/api/v1/mcp-providers/${value}`) }),
  fc.record({ method: fc.constant("GET"), path: id().map((value) => `/api/v1/mcp-providers/${value}/tools`) }),
  fc.record({ method: fc.constant("POST"), path: toolTarget.map((value) => `/api/v1/mcp-providers/${value}/tools/refresh`) }),
  fc.record({
    method: fc.constant("POST"),
    path: fc.tuple(toolTarget, fc.oneof(fc.constantFrom("echo", "get-sum", "nope"), weirdString.map((v) => `t${encodeURIComponent(v)}`))).map(([p, tool]) => `/api/v1/mcp-providers/${p}/tools/${tool}/call`),
  }),
  fc.record({ method: fc.constant("GET"), path: fc.constant("/api/v1/features") }),
  fc.record({ method: fc.constantFrom("GET", "POST"), path: fc.constant("/api/v1/api-tokens") }),
  fc.record({ method: fc.constant("DELETE"), path: id().map((value) => `/api/v1/api-tokens/${value}`) }),
  fc.record({ method: fc.constant("GET"), path: fc.constant("/api/v1/openapi.json") }),
);

const query = fc.oneof(
  fc.constant(""),
  fc.dictionary(fc.constantFrom("limit", "cursor", "q", "extra", "limit[]"), weirdString).map((params) => `?${new URLSearchParams(params)}`),
);

// What a header can carry on the wire: bytes, read as latin1, without control characters.
const headerValue = weirdString.map((value) => withoutControlCharacters(Buffer.from(value, "utf8").toString("latin1")));

const headers = fc.record(
  {
    "if-match": fc.oneof(headerValue, fc.constantFrom('"1"', '"999999999999"', "*", 'W/"2"')),
    "content-type": fc.constantFrom("application/json", "text/plain", "application/merge-patch+json", "multipart/form-data; boundary=x", ""),
    "content-length": fc.constantFrom("0", "-1", "999999999", "abc"),
    "x-request-id": headerValue,
  },
  { requiredKeys: [] },
);

const auth = fc.constantFrom("token", "token", "token", "cookie", "cookie-cross-origin", "none", "garbage");

describe("fuzzing every v1 route", () => {
  it(`${RUNS} generated requests: no 5xx, problem+json errors, rejected requests change nothing`, async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(routes, query, body, headers, auth, async (route, search, payload, extraHeaders, authKind) => {
        target = await ensureTarget();
        const path = route.path.replace("TARGET", target.id).replace("LIVE", live.id);
        const actor =
          authKind === "token" ? { token: admin.token } : authKind.startsWith("cookie") ? { cookie } : authKind === "garbage" ? { token: "mcpc_garbage" } : null;
        const requestHeaders: Record<string, string> = { ...extraHeaders };
        delete requestHeaders["content-length"]; // fetch computes it; a lying length is not a request a server sees
        if (authKind === "cookie") requestHeaders.origin = ORIGIN;
        if (authKind === "cookie-cross-origin") requestHeaders.origin = "https://evil.example";
        const before = await snapshot();
        const res = await callPath(actor, route.method, `${path}${search}`, {
          ...(route.method === "GET" || route.method === "DELETE" ? {} : "raw" in payload ? { rawBody: payload.raw } : "json" in payload ? { body: payload.json } : {}),
          headers: requestHeaders,
        });
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        expect(res.status, `${route.method} ${path}${search} → ${res.text.slice(0, 300)}`).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get("content-type")).toBe("application/problem+json");
          expect(Object.keys(ERROR_STATUS)).toContain(res.json.code);
          expect(res.json.status).toBe(res.status);
          expect(await snapshot()).toBe(before);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The fuzzer reached past validation, not only into it.
    expect(seen.get(200)).toBeGreaterThan(100);
    expect(seen.get(422)).toBeGreaterThan(100);
    console.log(`fuzz: ${RUNS} requests, seed ${SEED}, statuses ${JSON.stringify(Object.fromEntries([...seen].sort()))}`);
  }, 600_000);
});
