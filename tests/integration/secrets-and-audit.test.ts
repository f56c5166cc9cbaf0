import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { db, isPostgres } from "@/lib/db";
import { env } from "@/lib/env";
import { sqliteFilePath } from "@/prisma/database-url.mjs";
import { withPostgres } from "../setup/postgres";
import { call, createActor, uniqueProvider } from "./helpers";

/** Everything the database holds for this provider, as the bytes an attacker with the disk would see. */
async function rawDatabaseText(): Promise<string> {
  if (!isPostgres()) {
    // Force the write-ahead log into the file so nothing hides there.
    await db().$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)").catch(() => undefined);
    return readFileSync(sqliteFilePath(env().DATABASE_URL)).toString("latin1");
  }
  return withPostgres(env().DATABASE_URL, async (client) => {
    const tables = await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    const dumps = [];
    for (const { tablename } of tables.rows) {
      const rows = await client.query(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`);
      dumps.push(...rows.rows.map((r: { row: unknown }) => String(r.row)));
    }
    return dumps.join("\n");
  });
}

describe("secrets", () => {
  it("never appear in clear in the database or in any response (canary)", async () => {
    const canary = `CANARY${Date.now()}`;
    const admin = await createActor("admin");
    const input = uniqueProvider({
      server_url: `https://mcp.canary.example/path-${canary}-url?key=${canary}-query`,
      headers: { "X-Api-Key": `${canary}-header-value` },
      authentication: { type: "oauth", connection: "shared", client_id: "visible-client", client_secret: `${canary}-client-secret` },
    });
    const responses: string[] = [];
    const created = await call(admin, "POST /api/v1/mcp-providers", { body: input });
    responses.push(created.text);
    responses.push((await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: created.json.id } })).text);
    responses.push((await call(admin, "GET /api/v1/mcp-providers")).text);
    responses.push((await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: created.json.id }, body: { headers: { "X-Second": `${canary}-second` } } })).text);
    responses.push((await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: created.json.id }, body: { server_url: "ftp://bad" } })).text);

    for (const text of responses) expect(text).not.toContain(canary);
    const raw = await rawDatabaseText();
    expect(raw).toContain("visible-client"); // the dump is real: non-secret values are there
    expect(raw).not.toContain(canary);
  });
});

describe("audit events", () => {
  it("record who changed which fields of which provider, never the values", async () => {
    const admin = await createActor("admin");
    const created = await call(admin, "POST /api/v1/mcp-providers", {
      body: uniqueProvider({ headers: { "X-Secret": "audit-secret-value" } }),
    });
    const id = created.json.id;
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id }, 
      body: { name: "Audited", headers: { "X-Secret": "audit-secret-value-2" }, configuration: { timeout: 9 } },
    });
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id }, body: {} });
    await call(admin, "DELETE /api/v1/mcp-providers/{id}", { params: { id } });

    const events = await db().auditEvent.findMany({ where: { providerId: id }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["provider.created", "provider.updated", "provider.deleted"]);
    expect(events.every((e) => e.actorUserId === admin.userId && e.workspaceId === admin.workspaceId)).toBe(true);
    expect(JSON.parse(events[0].fields)).toContain("headers");
    expect(JSON.parse(events[1].fields)).toEqual(["configuration.timeout", "headers.X-Secret", "name"]);
    expect(JSON.stringify(events)).not.toContain("audit-secret-value");
  });

  it("are not written for refused changes", async () => {
    const admin = await createActor("admin");
    const created = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider() });
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: created.json.id }, body: { name: "" } });
    const member = await createActor("member", admin.workspaceId);
    await call(member, "DELETE /api/v1/mcp-providers/{id}", { params: { id: created.json.id } });
    expect(await db().auditEvent.count({ where: { providerId: created.json.id } })).toBe(1);
  });
});

describe("responses never decrypt", () => {
  it("a provider reads and lists from its masked columns, whatever is in the encrypted ones", async () => {
    const admin = await createActor("admin");
    const created = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider({ headers: { "X-Api-Key": "sk-visible-only-masked" } }) });
    await db().mcpProvider.update({ where: { id: created.json.id }, data: { serverUrlEncrypted: "v1.not.decryptable.at-all", headersEncrypted: "v1.not.decryptable.at-all" } });
    const listed = await call(admin, "GET /api/v1/mcp-providers");
    expect(listed.status).toBe(200);
    expect(listed.json.data[0]).toMatchObject({ id: created.json.id, server_url: created.json.server_url, headers: { "X-Api-Key": "sk******ed" } });
    expect((await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: created.json.id } })).json.headers).toEqual({ "X-Api-Key": "sk******ed" });
  });
});
