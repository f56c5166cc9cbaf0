import { describe, expect, it } from "vitest";
import { announceAuthChange } from "@/lib/auth/caller-cache";
import { listenForChanges, stopListeningForTests } from "@/lib/change-bus";
import { endSession } from "@/lib/auth/sessions";
import { db, isPostgres } from "@/lib/db";
import { env } from "@/lib/env";
import { withPostgres } from "../setup/postgres";
import { call, createActor, ORIGIN, sessionCookie, uniqueProvider } from "./helpers";

describe("session cookies", () => {
  it("authenticate reads, and mutations only with the console's Origin", async () => {
    const admin = await createActor("admin");
    const cookie = await sessionCookie(admin.userId);
    expect((await call({ cookie }, "GET /api/v1/mcp-providers")).status).toBe(200);

    const noOrigin = await call({ cookie }, "POST /api/v1/mcp-providers", { body: uniqueProvider() });
    expect(noOrigin.status).toBe(403);
    const evil = await call({ cookie }, "POST /api/v1/mcp-providers", { body: uniqueProvider(), headers: { origin: "https://evil.example" } });
    expect(evil.status).toBe(403);
    const ok = await call({ cookie }, "POST /api/v1/mcp-providers", { body: uniqueProvider(), headers: { origin: ORIGIN } });
    expect(ok.status).toBe(201);
  });

  it("stop working once the session is signed out, even if the cookie was kept", async () => {
    const admin = await createActor("admin");
    const cookie = await sessionCookie(admin.userId);
    const session = await db().session.findFirstOrThrow({ where: { userId: admin.userId } });
    await endSession(session.id);
    expect((await call({ cookie }, "GET /api/v1/mcp-providers")).status).toBe(401);
  });

  it("refuse a forged cookie", async () => {
    const res = await call({ cookie: "next-auth.session-token=forged.jwt.value" }, "GET /api/v1/mcp-providers");
    expect(res.status).toBe(401);
  });
});

describe("API tokens", () => {
  it("are shown once, listed without the secret, record last use and stop working when revoked", async () => {
    const admin = await createActor("admin");
    const created = await call(admin, "POST /api/v1/api-tokens", { body: { name: "ci" } });
    expect(created.status).toBe(201);
    expect(created.json.token).toMatch(/^mcpc_[A-Za-z0-9_-]{43}$/);
    const token = created.json.token;

    const stored = await db().apiToken.findUniqueOrThrow({ where: { id: created.json.id } });
    expect(stored.tokenHash).not.toContain(token);
    expect(JSON.stringify(stored)).not.toContain(token.slice(12));

    expect((await call({ token }, "GET /api/v1/mcp-providers")).status).toBe(200);
    const list = await call(admin, "GET /api/v1/api-tokens");
    const listed = list.json.data.find((t) => t.id === created.json.id);
    expect(listed).toMatchObject({ name: "ci", prefix: token.slice(0, 12) });
    expect(listed?.last_used_at).not.toBeNull();
    expect(list.text).not.toContain(token);

    expect((await call(admin, "DELETE /api/v1/api-tokens/{id}", { params: { id: created.json.id } })).status).toBe(204);
    const revoked = await call({ token }, "GET /api/v1/mcp-providers");
    expect(revoked.status).toBe(401);
    expect(revoked.json.code).toBe("unauthenticated");
  });

  it("act with their workspace only, and can't be revoked by someone else", async () => {
    const a = await createActor("owner");
    const b = await createActor("owner");
    const mine = await call(a, "POST /api/v1/api-tokens", { body: { name: "mine" } });
    expect((await call(b, "DELETE /api/v1/api-tokens/{id}", { params: { id: mine.json.id } })).status).toBe(404);
    expect((await call(a, "POST /api/v1/api-tokens", { body: { name: "" } })).status).toBe(422);
  });

  it("are refused the moment they are revoked, though the console remembers who a busy token is", async () => {
    const admin = await createActor("admin");
    const made = await call(admin, "POST /api/v1/api-tokens", { body: { name: "busy" } });
    const busy = { token: made.json.token };
    for (let i = 0; i < 3; i++) expect((await call(busy, "GET /api/v1/mcp-providers")).status).toBe(200);
    expect((await call(admin, "DELETE /api/v1/api-tokens/{id}", { params: { id: made.json.id } })).status).toBe(204);
    expect((await call(busy, "GET /api/v1/mcp-providers")).status).toBe(401);
  });

  it("act with the member's new role as soon as a change is announced", async () => {
    const admin = await createActor("admin");
    expect((await call(admin, "GET /api/v1/features")).json.role).toBe("admin");
    await db().membership.update({ where: { userId_workspaceId: { userId: admin.userId, workspaceId: admin.workspaceId } }, data: { role: "member" } });
    await announceAuthChange({ kind: "user", id: admin.userId });
    expect((await call(admin, "GET /api/v1/features")).json.role).toBe("member");
  });

  it.skipIf(!isPostgres())("on PostgreSQL, forget a token another instance revoked", async () => {
    await listenForChanges();
    try {
      const admin = await createActor("admin");
      expect((await call(admin, "GET /api/v1/mcp-providers")).status).toBe(200); // remembered here
      const token = await db().apiToken.findFirstOrThrow({ where: { userId: admin.userId } });
      // Another instance revokes it: its row goes, and it says so on the channel.
      await withPostgres(env().DATABASE_URL, async (client) => {
        await client.query("DELETE FROM api_tokens WHERE id = $1", [token.id]);
        await client.query("SELECT pg_notify('mcp_console_changes', $1)", [`token:${token.id}`]);
      });
      await expect.poll(async () => (await call(admin, "GET /api/v1/mcp-providers")).status, { timeout: 5_000 }).toBe(401);
    } finally {
      await stopListeningForTests();
    }
  });

  it("may expire: stop working at their expiry, even while the console remembers them", async () => {
    const admin = await createActor("admin");
    const made = await call(admin, "POST /api/v1/api-tokens", { body: { name: "short-lived", expires_in_days: 30 } });
    expect(made.status, made.text).toBe(201);
    const days = (Date.parse(made.json.expires_at ?? "") - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect((await call(admin, "GET /api/v1/api-tokens")).json.data.find((t) => t.id === made.json.id)?.expires_at).toBe(made.json.expires_at);

    // Its expiry comes in a second and a half: it works, is remembered, and then is refused.
    await db().apiToken.update({ where: { id: made.json.id }, data: { expiresAt: new Date(Date.now() + 1_500) } });
    const token = { token: made.json.token };
    expect((await call(token, "GET /api/v1/mcp-providers")).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    const usedAt = (await db().apiToken.findUniqueOrThrow({ where: { id: made.json.id } })).lastUsedAt;
    await db().apiToken.update({ where: { id: made.json.id }, data: { lastUsedAt: new Date(0) } }); // due for a new stamp
    const expired = await call(token, "GET /api/v1/mcp-providers");
    expect(expired.status).toBe(401);
    expect(expired.json.detail).toContain("expired");
    expect(usedAt).not.toBeNull();
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: made.json.id } })).lastUsedAt).toEqual(new Date(0)); // a refusal is not a use

    for (const expires_in_days of [0, 367, 1.5]) expect((await call(admin, "POST /api/v1/api-tokens", { body: { name: `bad ${expires_in_days}`, expires_in_days } })).status).toBe(422);
  });

  it("have names unique to their user in a workspace, as a person reads them", async () => {
    const admin = await createActor("admin");
    const other = await createActor("admin", admin.workspaceId);
    expect((await call(admin, "POST /api/v1/api-tokens", { body: { name: "CI deploy" } })).status).toBe(201);
    const again = await call(admin, "POST /api/v1/api-tokens", { body: { name: "  ci   DEPLOY " } });
    expect(again.status).toBe(409);
    expect(again.json.errors?.map((error) => error.path)).toEqual(["name"]);
    expect(again.json.detail).toContain("already have a token named");
    expect((await call(other, "POST /api/v1/api-tokens", { body: { name: "CI deploy" } })).status).toBe(201); // someone else's name
    // The limit counts the name as stored: one character that NFKC makes eighteen is not one.
    expect((await call(admin, "POST /api/v1/api-tokens", { body: { name: "\uFDFA".repeat(60) } })).status).toBe(422);
  });

  it("keep a name unique when requests race for it: one is made, the others are told the name is taken", async () => {
    const admin = await createActor("admin");
    const answers = await Promise.all(["Race", "race", "RACE", " race ", "Race", "race", "rAce", "race"].map((name) => call(admin, "POST /api/v1/api-tokens", { body: { name } })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const answer of answers.filter((each) => each.status === 409)) expect(answer.json.errors?.map((error) => error.path)).toEqual(["name"]);
    expect(await db().apiToken.count({ where: { userId: admin.userId, workspaceId: admin.workspaceId, name: { in: ["Race", "race", "RACE", "rAce"] } } })).toBe(1);
  });

  it("stop working when the user leaves the workspace", async () => {
    const member = await createActor("member");
    await db().membership.delete({ where: { userId_workspaceId: { userId: member.userId, workspaceId: member.workspaceId } } });
    expect((await call(member, "GET /api/v1/mcp-providers")).status).toBe(401);
  });
});

describe("GET /api/v1/features", () => {
  it("reports enterprise off and only the off mode by default", async () => {
    const member = await createActor("member");
    const res = await call(member, "GET /api/v1/features");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ enterprise_enabled: false, identity_modes: ["off"], role: "member" });
  });
});
