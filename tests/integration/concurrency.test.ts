// Under concurrent writes nothing is lost and uniqueness holds — on SQLite and on PostgreSQL.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { toDocument } from "@/lib/providers/record";
import { call, createActor, uniqueProvider, type Actor } from "./helpers";

let admin: Actor;

beforeAll(async () => {
  admin = await createActor("admin");
});

describe("concurrency", () => {
  it("50 concurrent merge-patches of disjoint fields all persist", async () => {
    // A provider holds at most 32 headers, so the 50 patches go to two providers at once: the
    // first gets 32 header additions, the second 7 header additions and a patch of every other field.
    const a = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider() });
    const bBody = uniqueProvider({ icon: { type: "emoji", content: "🔧", background: "#EEF" }, authentication: { type: "oauth", connection: "shared", client_id: "before" } });
    const b = await call(admin, "POST /api/v1/mcp-providers", { body: bBody });
    const other = uniqueProvider();
    // The server stays where it is (another path would drop the client secret another patch sets): only its query moves.
    const movedUrl = bBody.server_url.replace(/\?.*$/, "?key=url-secret-moved");
    const fieldPatches: Record<string, unknown>[] = [
      { name: other.name },
      { server_identifier: other.server_identifier },
      { server_url: movedUrl },
      { icon: { content: "🚀" } },
      { icon: { background: "#000" } },
      { configuration: { timeout: 11 } },
      { configuration: { sse_read_timeout: 22 } },
      { authentication: { client_id: "after" } },
      { authentication: { client_secret: "secret-after" } },
      { identity_mode: "idp_token" },
      { tool_policy: { disabled: ["delete_everything"] } },
    ];
    const patches = [
      ...Array.from({ length: 32 }, (_, i) => [a.json.id, { headers: { [`X-A-${i}`]: `a-${i}-secret` } }] as const),
      ...Array.from({ length: 7 }, (_, i) => [b.json.id, { headers: { [`X-B-${i}`]: `b-${i}-secret` } }] as const),
      ...fieldPatches.map((body) => [b.json.id, body] as const),
    ];
    expect(patches).toHaveLength(50);
    const results = await Promise.all(patches.map(([id, body]) => call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id }, body })));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));

    const storedA = toDocument(await db().mcpProvider.findUniqueOrThrow({ where: { id: a.json.id } }));
    expect(storedA.headers).toEqual(Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`X-A-${i}`, `a-${i}-secret`])));
    const storedB = toDocument(await db().mcpProvider.findUniqueOrThrow({ where: { id: b.json.id } }));
    expect(storedB).toEqual({
      name: other.name,
      server_identifier: other.server_identifier,
      server_url: movedUrl,
      icon: { type: "emoji", content: "🚀", background: "#000" },
      headers: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`X-B-${i}`, `b-${i}-secret`])),
      authentication: { type: "oauth", connection: "shared", client_id: "after", client_secret: "secret-after" },
      configuration: { timeout: 11, sse_read_timeout: 22 },
      identity_mode: "idp_token",
      tool_policy: { disabled: ["delete_everything"], ask: [] },
      activity_recording: { arguments: false, results: false },
    });
    expect((await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: a.json.id } })).json.version).toBe(33);
    expect((await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: b.json.id } })).json.version).toBe(19);
  });

  it("20 concurrent creates with the same identifier: exactly one 201, the rest 409", async () => {
    const identifier = `race-${Date.now().toString(36)}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider({ server_identifier: identifier, name: `Racer ${identifier} ${i}` }) }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array<number>(19).fill(409)]);
    for (const loser of results.filter((r) => r.status === 409)) expect(loser.json.errors?.[0].path).toBe("server_identifier");
    expect(await db().mcpProvider.count({ where: { workspaceId: admin.workspaceId, serverIdentifier: identifier } })).toBe(1);
  });

  it("racing If-Match updates: one winner, the rest 412", async () => {
    const created = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider() });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: created.json.id }, body: { name: `Winner ${i}` }, headers: { "if-match": '"1"' } }),
      ),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(9);
    const stored = await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: created.json.id } });
    expect(stored.json).toMatchObject({ name: winners[0].json.name, version: 2 });
  });
});
