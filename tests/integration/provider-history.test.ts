// A provider's change history: who created it and who changed which settings, newest first —
// setting names only, never values; admins of its own workspace only.
import { beforeAll, describe, expect, it } from "vitest";
import { call, createActor, uniqueProvider } from "./helpers";

let admin: Awaited<ReturnType<typeof createActor>>;
let otherAdmin: Awaited<ReturnType<typeof createActor>>;

beforeAll(async () => {
  admin = await createActor("admin");
  otherAdmin = await createActor("admin", admin.workspaceId);
});

describe("a provider's change history", () => {
  it("lists its creation and each change that changed something, by whom, with field names only", async () => {
    const created = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider() });
    expect(created.status, created.text).toBe(201);
    const id = created.json.id;
    expect((await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id }, body: { name: "Renamed" } })).status).toBe(200);
    expect((await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id }, body: { name: "Renamed" } })).status).toBe(200); // no change, no event
    expect((await call(otherAdmin, "PATCH /api/v1/mcp-providers/{id}", { params: { id }, body: { headers: { "X-Api-Key": "very-secret-value" } } })).status).toBe(200);

    const history = await call(admin, "GET /api/v1/mcp-providers/{id}/history", { params: { id } });
    expect(history.status, history.text).toBe(200);
    expect(history.json.data.map((event) => [event.action, event.actor.email, event.fields])).toEqual([
      ["updated", otherAdmin.email, ["headers.X-Api-Key"]],
      ["updated", admin.email, ["name"]],
      ["created", admin.email, expect.arrayContaining(["name", "server_identifier", "server_url"])],
    ]);
    expect(history.text).not.toContain("very-secret-value");
    expect(history.json.next_cursor).toBeNull();
  });

  it("pages through the cursor", async () => {
    const created = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider() });
    const id = created.json.id;
    for (const name of ["One", "Two", "Three"]) await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id }, body: { name } });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(admin, "GET /api/v1/mcp-providers/{id}/history", { params: { id }, query: { limit: "2", ...(cursor ? { cursor } : {}) } });
      expect(page.status).toBe(200);
      seen.push(...page.json.data.map((event) => event.id));
      cursor = page.json.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
  });

  it("is a 404 for another workspace's provider, and a 422 for a cursor it never gave", async () => {
    const created = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider() });
    const outsider = await createActor("admin");
    expect((await call(outsider, "GET /api/v1/mcp-providers/{id}/history", { params: { id: created.json.id } })).status).toBe(404);
    expect((await call(admin, "GET /api/v1/mcp-providers/{id}/history", { params: { id: created.json.id }, query: { cursor: "nope" } })).status).toBe(422);
  });
});
