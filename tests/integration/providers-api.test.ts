import { beforeAll, describe, expect, it } from "vitest";
import { backgroundTasksSettled } from "@/lib/background";
import { listenForChanges, stopListeningForTests } from "@/lib/change-bus";
import { backfillMaskedColumns } from "@/lib/providers/backfill";
import { db, isPostgres } from "@/lib/db";
import { env, resetEnvForTests } from "@/lib/env";
import { withPostgres } from "../setup/postgres";
import { call, callPath, createActor, uniqueProvider, type Actor, type CallResult } from "./helpers";

let owner: Actor;

beforeAll(async () => {
  owner = await createActor("owner");
});

async function create(actor: Actor, overrides: Record<string, unknown> = {}) {
  const res = await call(actor, "POST /api/v1/mcp-providers", { body: uniqueProvider(overrides) });
  expect(res.status, res.text).toBe(201);
  return res.json;
}

describe("POST /api/v1/mcp-providers", () => {
  it("creates with defaults, a Location and an ETag", async () => {
    const input = uniqueProvider();
    const res = await call(owner, "POST /api/v1/mcp-providers", { body: input });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/api/v1/mcp-providers/${res.json.id}`);
    expect(res.headers.get("etag")).toBe('"1"');
    expect(res.json).toMatchObject({
      name: input.name,
      server_identifier: input.server_identifier,
      server_url: "https://mcp.example.com/******",
      icon: null,
      headers: {},
      authentication: null,
      configuration: { timeout: 30, sse_read_timeout: 300 },
      identity_mode: "off",
      identity_forwarding_active: false,
      authed: false,
      tools_count: 0,
      tools_fetched_at: null,
      version: 1,
    });
  });

  it("trims the name and stores every optional field", async () => {
    const created = await create(owner, {
      name: "  Spaced  ",
      icon: { type: "emoji", content: "🔧", background: "#EEF" },
      headers: { "X-Api-Key": "sk-abcdef123456", "X-Short": "abc" },
      authentication: { type: "oauth", connection: "shared", client_id: "client-1", client_secret: "a-long-client-secret" },
      configuration: { timeout: 5, sse_read_timeout: 60 },
      identity_mode: "idp_token",
    });
    expect(created).toMatchObject({
      name: "Spaced",
      icon: { type: "emoji", content: "🔧", background: "#EEF" },
      headers: { "X-Api-Key": "sk******56", "X-Short": "******" },
      authentication: { type: "oauth", connection: "shared", client_id: "client-1", client_secret: "a-******et", scope: null },
      configuration: { timeout: 5, sse_read_timeout: 60 },
      identity_mode: "idp_token",
      // ENTERPRISE_ENABLED is off in this suite: the mode is stored but not active
      identity_forwarding_active: false,
    });
  });

  it.each([
    ["name", { name: "" }],
    ["name", { name: "x".repeat(41) }],
    ["server_identifier", { server_identifier: "Has Caps" }],
    ["server_identifier", { server_identifier: "x".repeat(25) }],
    ["server_url", { server_url: "ftp://example.com" }],
    ["server_url", { server_url: "/relative" }],
    ["server_url", { server_url: `https://example.com/${"a".repeat(2050)}` }],
    ["headers.Content-Length", { headers: { "Content-Length": "1" } }],
    ["headers.Bad Name", { headers: { "Bad Name": "1" } }],
    ["headers.X-Inject", { headers: { "X-Inject": "a\r\nHost: evil" } }],
    ["configuration.timeout", { configuration: { timeout: 0 } }],
    ["configuration.timeout", { configuration: { timeout: 601 } }],
    ["configuration.sse_read_timeout", { configuration: { sse_read_timeout: 3601 } }],
    ["configuration.timeout", { configuration: { timeout: 1.5 } }],
    ["identity_mode", { identity_mode: "saml_bridge" }],
    ["authentication.client_secret", { authentication: { type: "oauth", connection: "shared", client_secret: "s" } }],
    ["authentication.connection", { authentication: { type: "oauth" } }],
    ["authentication.connection", { authentication: { type: "oauth", connection: "everyone" } }],
    ["authentication.scope", { authentication: { type: "oauth", connection: "per_user", scope: 'read "all"' } }],
    ["surprise", { surprise: true }],
  ])("refuses an invalid %s with 422 on that field", async (path, overrides) => {
    const res = await call(owner, "POST /api/v1/mcp-providers", { body: uniqueProvider(overrides) });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.json.code).toBe("validation_failed");
    expect(res.json.errors?.map((e) => e.path)).toContain(path);
  });

  it("refuses more than 32 headers, and names that differ only by case", async () => {
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`X-H${i}`, "v"]));
    expect((await call(owner, "POST /api/v1/mcp-providers", { body: uniqueProvider({ headers: many }) })).status).toBe(422);
    const dup = { "X-Key": "a", "x-key": "b" };
    expect((await call(owner, "POST /api/v1/mcp-providers", { body: uniqueProvider({ headers: dup }) })).status).toBe(422);
  });

  it.each([
    ["name", (p: Record<string, string>) => ({ name: p.name })],
    ["server_identifier", (p: Record<string, string>) => ({ server_identifier: p.server_identifier })],
    // The same URL, written differently (host case, default port, fragment), is the same server.
    ["server_url", (p: Record<string, string>) => ({ server_url: p.server_url.replace("mcp.example.com", "MCP.Example.com:443") + "#frag" })],
  ])("answers 409 on a duplicate %s, on that field", async (field, pick) => {
    const first = uniqueProvider();
    expect((await call(owner, "POST /api/v1/mcp-providers", { body: first })).status).toBe(201);
    const res = await call(owner, "POST /api/v1/mcp-providers", { body: uniqueProvider(pick(first)) });
    expect(res.status).toBe(409);
    expect(res.json.code).toBe("conflict");
    expect(res.json.errors?.[0].path).toBe(field);
  });

  it("names every field a duplicate collides on, not just the first the database hit", async () => {
    const first = uniqueProvider();
    expect((await call(owner, "POST /api/v1/mcp-providers", { body: first })).status).toBe(201);
    const res = await call(owner, "POST /api/v1/mcp-providers", { body: first });
    expect(res.status).toBe(409);
    expect(res.json.errors?.map((error) => error.path)).toEqual(["name", "server_identifier", "server_url"]);
  });

  it("allows the same name, identifier and URL in another workspace", async () => {
    const input = uniqueProvider();
    expect((await call(owner, "POST /api/v1/mcp-providers", { body: input })).status).toBe(201);
    const other = await createActor("admin");
    expect((await call(other, "POST /api/v1/mcp-providers", { body: input })).status).toBe(201);
  });

  it.each([
    ["malformed JSON", "{bad", 422],
    ["an empty body", "", 422],
    ["a JSON array", "[]", 422],
    ["a JSON string", '"x"', 422],
    ["null", "null", 422],
  ])("answers %s with a problem, not a 5xx", async (_label, rawBody, status) => {
    const res = await call(owner, "POST /api/v1/mcp-providers", { rawBody });
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("answers a huge body with 413", async () => {
    const res = await call(owner, "POST /api/v1/mcp-providers", { rawBody: JSON.stringify({ name: "x".repeat(300_000) }) });
    expect(res.status).toBe(413);
    expect(res.json.code).toBe("payload_too_large");
  });
});

describe("GET /api/v1/mcp-providers", () => {
  it("pages newest first with a stable cursor and filters with q", async () => {
    const actor = await createActor("admin");
    const names = ["Alpha One", "Beta Two", "Gamma Three", "Delta Four", "Alpha Five"];
    for (const name of names) await create(actor, { name });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: CallResult<"GET /api/v1/mcp-providers"> = await call(actor, "GET /api/v1/mcp-providers", { query: { limit: "2", ...(cursor ? { cursor } : {}) } });
      expect(page.status).toBe(200);
      expect(page.json.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.data.map((p) => p.name));
      cursor = page.json.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...names].reverse());

    const filtered = await call(actor, "GET /api/v1/mcp-providers", { query: { q: "alpha" } });
    expect(filtered.json.data.map((p) => p.name).sort()).toEqual(["Alpha Five", "Alpha One"]);
  });

  it("defaults to 50 and refuses limits outside 1–100 and unknown cursors", async () => {
    expect((await call(owner, "GET /api/v1/mcp-providers", { query: { limit: "101" } })).status).toBe(422);
    expect((await call(owner, "GET /api/v1/mcp-providers", { query: { limit: "abc" } })).status).toBe(422);
    expect((await call(owner, "GET /api/v1/mcp-providers", { query: { cursor: "not-a-cursor" } })).json.errors?.[0].path).toBe("cursor");
    // Well-formed JSON, but a time no date can hold and an id that is no id: a 422, not a database error.
    const forged = Buffer.from(JSON.stringify({ t: 1e20, id: "x" })).toString("base64url");
    const refused = await call(owner, "GET /api/v1/mcp-providers", { query: { cursor: forged } });
    expect(refused.status).toBe(422);
    expect(refused.json.errors?.[0].path).toBe("cursor");
    expect((await call(owner, "GET /api/v1/mcp-providers", { query: { bogus: "1" } })).status).toBe(422);
  });

  it("shows every change at once, though it remembers pages it just read", async () => {
    const actor = await createActor("admin");
    const names = async () => (await call(actor, "GET /api/v1/mcp-providers")).json.data.map((p) => p.name);
    const first = await create(actor, { name: "First" });
    expect(await names()).toEqual(["First"]);
    await backgroundTasksSettled();
    const listed = (await call(actor, "GET /api/v1/mcp-providers")).json.data[0];
    expect(listed.discovery.status).not.toBe("pending"); // the discovery's result, not the page read before it

    const renamed = await call(actor, "PATCH /api/v1/mcp-providers/{id}", { params: { id: first.id }, body: { name: "Renamed" } });
    expect(renamed.status).toBe(200);
    expect(await names()).toEqual(["Renamed"]);
    await create(actor, { name: "Second" });
    expect(await names()).toEqual(["Second", "Renamed"]);
    expect((await call(actor, "DELETE /api/v1/mcp-providers/{id}", { params: { id: first.id } })).status).toBe(204);
    expect(await names()).toEqual(["Second"]);
  });

  it("shows a row an earlier version wrote (no masked columns yet) as it is, and fills it in", async () => {
    const actor = await createActor("admin");
    const made = await create(actor, { server_url: "https://mcp.example.com/earlier?key=secret-in-url", headers: { "X-Api-Key": "secret-header-value" } });
    await backgroundTasksSettled();
    const tools = JSON.stringify(["a", "b"].map((name) => ({ name, title: null, description: null, input_schema: { type: "object" } })));
    await db().mcpProvider.update({ where: { id: made.id }, data: { serverUrlMasked: null, headersMasked: null, tools, toolsCount: 0 } });
    const listed = await call(actor, "GET /api/v1/mcp-providers");
    expect(listed.json.data[0]).toMatchObject({ server_url: made.server_url, headers: made.headers, tools_count: 2 });
    expect(listed.text).not.toContain("secret-");
    expect(await db().mcpProvider.findUniqueOrThrow({ where: { id: made.id } })).toMatchObject({ serverUrlMasked: made.server_url, toolsCount: 2 });
  });

  it("fills in old rows at start-up, a row with unreadable stored tools included", async () => {
    const actor = await createActor("admin");
    const made = await create(actor);
    await backgroundTasksSettled();
    await db().mcpProvider.update({ where: { id: made.id }, data: { serverUrlMasked: null, tools: "not json at all", toolsCount: 7 } });
    expect(await backfillMaskedColumns()).toBeGreaterThanOrEqual(1);
    expect(await db().mcpProvider.findUniqueOrThrow({ where: { id: made.id } })).toMatchObject({ serverUrlMasked: made.server_url, toolsCount: 0 });
  });

  it("with LIST_CACHE_SECONDS=0, reads every page from the database", async () => {
    const actor = await createActor("admin");
    const made = await create(actor, { name: "Stored" });
    await backgroundTasksSettled();
    const name = async () => (await call(actor, "GET /api/v1/mcp-providers")).json.data[0].name;
    process.env.LIST_CACHE_SECONDS = "0";
    resetEnvForTests();
    try {
      expect(await name()).toBe("Stored");
      await db().mcpProvider.update({ where: { id: made.id }, data: { name: "Changed behind its back" } }); // nobody announces this
      expect(await name()).toBe("Changed behind its back");
    } finally {
      delete process.env.LIST_CACHE_SECONDS;
      resetEnvForTests();
    }
  });

  it.skipIf(!isPostgres())("on PostgreSQL, shows a change another instance made as soon as it says so", async () => {
    await listenForChanges();
    try {
      const actor = await createActor("admin");
      const made = await create(actor, { name: "Before" });
      await backgroundTasksSettled();
      expect((await call(actor, "GET /api/v1/mcp-providers")).json.data[0].name).toBe("Before");
      await withPostgres(env().DATABASE_URL, async (client) => {
        await client.query("UPDATE tool_mcp_providers SET name = 'After' WHERE id = $1", [made.id]);
        await client.query("SELECT pg_notify('mcp_console_changes', $1)", [`providers:${actor.workspaceId}`]);
      });
      await expect.poll(async () => (await call(actor, "GET /api/v1/mcp-providers")).json.data[0].name, { timeout: 5_000 }).toBe("After");
    } finally {
      await stopListeningForTests();
    }
  });

  it("shows only the caller's workspace", async () => {
    const other = await createActor("owner");
    const mine = await create(owner);
    const list = await call(other, "GET /api/v1/mcp-providers");
    expect(list.json.data.map((p: { id: string }) => p.id)).not.toContain(mine.id);
  });
});

describe("GET/DELETE /api/v1/mcp-providers/{id}", () => {
  it("gets with an ETag and deletes with 204, then 404", async () => {
    const created = await create(owner);
    const got = await call(owner, "GET /api/v1/mcp-providers/{id}", { params: { id: created.id } });
    expect(got.status).toBe(200);
    expect(got.headers.get("etag")).toBe('"1"');
    // The same provider; only its discovery may have moved on since (it runs after the create).
    expect({ ...got.json, discovery: created.discovery }).toEqual(created);
    expect((await call(owner, "DELETE /api/v1/mcp-providers/{id}", { params: { id: created.id } })).status).toBe(204);
    expect((await call(owner, "GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).status).toBe(404);
    expect((await call(owner, "DELETE /api/v1/mcp-providers/{id}", { params: { id: created.id } })).status).toBe(404);
  });

  it("answers 404 for another workspace's provider, and for ids that are not UUIDs", async () => {
    const created = await create(owner);
    const stranger = await createActor("owner");
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const res = await callPath(stranger, method, `/api/v1/mcp-providers/${created.id}`, method === "PATCH" ? { body: { name: "stolen" } } : {});
      expect(res.status, method).toBe(404);
    }
    expect((await call(owner, "GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).json.name).toBe(created.name);
    for (const id of ["not-a-uuid", "1", "%00", "../features"]) {
      expect((await call(owner, "GET /api/v1/mcp-providers/{id}", { params: { id: encodeURIComponent(id) } })).status).toBe(404);
    }
  });
});

describe("roles", () => {
  it("lets members read but not write", async () => {
    const admin = await createActor("admin");
    const member = await createActor("member", admin.workspaceId);
    const created = await create(admin);
    expect((await call(member, "GET /api/v1/mcp-providers")).status).toBe(200);
    expect((await call(member, "GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).status).toBe(200);
    const post = await call(member, "POST /api/v1/mcp-providers", { body: uniqueProvider() });
    expect(post.status).toBe(403);
    expect(post.json.code).toBe("forbidden");
    expect((await call(member, "PATCH /api/v1/mcp-providers/{id}", { params: { id: created.id }, body: { name: "nope" } })).status).toBe(403);
    expect((await call(member, "DELETE /api/v1/mcp-providers/{id}", { params: { id: created.id } })).status).toBe(403);
    expect((await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).json.name).toBe(created.name);
  });

  it("uses the user's current role, not the one they had when the token was made", async () => {
    const admin = await createActor("admin");
    await db().membership.update({ where: { userId_workspaceId: { userId: admin.userId, workspaceId: admin.workspaceId } }, data: { role: "member" } });
    expect((await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider() })).status).toBe(403);
  });

  it("answers 401, not 403, without credentials or with a bad token", async () => {
    for (const actor of [null, { token: "mcpc_nope" }]) {
      const res = await call(actor, "GET /api/v1/mcp-providers");
      expect(res.status).toBe(401);
      expect(res.json.code).toBe("unauthenticated");
    }
    const res = await call(null, "GET /api/v1/mcp-providers", { headers: { authorization: "Basic abc" } });
    expect(res.status).toBe(401);
  });
});
