// Workspace administration through the real route handlers: members and their roles, removal that
// ends everything a member holds, invitations (new accounts, existing ones, SSO), and several
// workspaces per user with nothing crossing between them.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "@/lib/auth/api-tokens";
import { linkSsoAccount } from "@/lib/auth/sso";
import { pruneExpiredInvitations } from "@/lib/workspaces/invitations";
import { setEnv } from "./identity-fixture";
import { db } from "@/lib/db";
import { call, createActor, ORIGIN, sessionCookie, uniqueProvider, type Actor } from "./helpers";
import { acceptInvitationLink } from "./invitation-link";

type Person = Actor & { email: string };
let owner: Person;
let admin: Person;

beforeAll(async () => {
  owner = await createActor("owner");
  admin = await createActor("admin", owner.workspaceId);
});

const accept = acceptInvitationLink;

const uniqueEmail = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}@example.test`;

describe("members", () => {
  it("owners and admins list members with role, sign-in method and last activity; members can't", async () => {
    const member = await createActor("member", owner.workspaceId);
    await call(member, "GET /api/v1/mcp-providers"); // a use of their token
    const list = await call(admin, "GET /api/v1/members");
    expect(list.status).toBe(200);
    const entry = list.json.data.find((m) => m.user_id === member.userId);
    expect(entry).toMatchObject({ email: member.email, role: "member", sign_in: [] });
    expect(entry?.last_active_at).not.toBeNull();
    expect((await call(member, "GET /api/v1/members")).status).toBe(403);
  });

  it("a promotion takes effect on the member's very next request", async () => {
    const member = await createActor("member", owner.workspaceId);
    expect((await call(member, "POST /api/v1/mcp-providers", { body: uniqueProvider() })).status).toBe(403);
    const promoted = await call(admin, "PATCH /api/v1/members/{user_id}", { params: { user_id: member.userId }, body: { role: "admin" } });
    expect(promoted.status).toBe(200);
    expect(promoted.json.role).toBe("admin");
    expect((await call(member, "POST /api/v1/mcp-providers", { body: uniqueProvider() })).status).toBe(201);
    const audit = await db().auditEvent.findFirst({ where: { workspaceId: owner.workspaceId, action: "member.role_changed", targetId: member.userId } });
    expect(audit?.actorUserId).toBe(admin.userId);
  });

  it("admins can't make or touch owners; the last owner can't be demoted or removed", async () => {
    const member = await createActor("member", owner.workspaceId);
    expect((await call(admin, "PATCH /api/v1/members/{user_id}", { params: { user_id: member.userId }, body: { role: "owner" } })).status).toBe(403);
    expect((await call(admin, "PATCH /api/v1/members/{user_id}", { params: { user_id: owner.userId }, body: { role: "member" } })).status).toBe(403);
    expect((await call(admin, "DELETE /api/v1/members/{user_id}", { params: { user_id: owner.userId } })).status).toBe(403);

    const solo = await createActor("owner");
    expect((await call(solo, "PATCH /api/v1/members/{user_id}", { params: { user_id: solo.userId }, body: { role: "admin" } })).status).toBe(409);
    expect((await call(solo, "DELETE /api/v1/members/{user_id}", { params: { user_id: solo.userId } })).status).toBe(409);
    const second = await createActor("member", solo.workspaceId);
    expect((await call(solo, "PATCH /api/v1/members/{user_id}", { params: { user_id: second.userId }, body: { role: "owner" } })).status).toBe(200);
    expect((await call(solo, "PATCH /api/v1/members/{user_id}", { params: { user_id: solo.userId }, body: { role: "admin" } })).status).toBe(200);
  });

  it("removing a member ends their sessions, API tokens, connected apps and OAuth connections in the workspace at once", async () => {
    const member = await createActor("member", owner.workspaceId);
    const cookie = await sessionCookie(member.userId);
    expect((await call({ cookie }, "GET /api/v1/mcp-providers")).status).toBe(200);
    expect((await call(member, "GET /api/v1/mcp-providers")).status).toBe(200); // cached now
    const grantId = randomUUID();
    await db().connectedApp.create({ data: { grantId, workspaceId: owner.workspaceId, userId: member.userId, clientId: "c", clientName: "Agent", redirectHost: "x", expiresAt: new Date(Date.now() + 60_000) } });
    await db().oAuthRecord.create({ data: { model: "AccessToken", id: randomUUID(), grantId, payload: "sealed", expiresAt: new Date(Date.now() + 60_000) } });
    const provider = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider({ authentication: { type: "oauth", connection: "per_user" } }) });
    await db().upstreamConnection.create({ data: { id: randomUUID(), providerId: provider.json.id, workspaceId: owner.workspaceId, owner: member.userId, userId: member.userId, stateEncrypted: "sealed" } });

    expect((await call(admin, "DELETE /api/v1/members/{user_id}", { params: { user_id: member.userId } })).status).toBe(204);
    expect((await call({ cookie }, "GET /api/v1/mcp-providers")).status).toBe(401);
    expect((await call(member, "GET /api/v1/mcp-providers")).status).toBe(401);
    expect(await db().connectedApp.count({ where: { grantId } })).toBe(0);
    expect(await db().oAuthRecord.count({ where: { grantId } })).toBe(0);
    expect(await db().upstreamConnection.count({ where: { userId: member.userId } })).toBe(0);
    expect((await call(admin, "GET /api/v1/members")).json.data.map((m) => m.user_id)).not.toContain(member.userId);
  });

  it("adding someone with an account invites them: no membership until they accept, signed in", async () => {
    const elsewhere = await createActor("member");
    const added = await call(admin, "POST /api/v1/members", { body: { email: elsewhere.email.toUpperCase(), role: "member" } });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ email: elsewhere.email, role: "member", mailed: false });
    expect(await db().membership.findUnique({ where: { userId_workspaceId: { userId: elsewhere.userId, workspaceId: owner.workspaceId } } })).toBeNull();
    expect((await accept(added.json.url, {}, await sessionCookie(elsewhere.userId))).status).toBe(200);
    expect((await db().membership.findUniqueOrThrow({ where: { userId_workspaceId: { userId: elsewhere.userId, workspaceId: owner.workspaceId } } })).role).toBe("member");
    expect((await call(admin, "POST /api/v1/members", { body: { email: elsewhere.email } })).status).toBe(409);
  });
});

describe("invitations", () => {
  it("a new person sets a password and joins with the invited role; the link works once", async () => {
    const email = uniqueEmail("new");
    const invited = await call(admin, "POST /api/v1/invitations", { body: { email: ` ${email.toUpperCase()} `, role: "admin" } });
    expect(invited.status).toBe(201);
    expect(invited.json.url).toMatch(new RegExp(`^${ORIGIN}/invite/[\\w-]{43}$`));
    expect((await call(admin, "GET /api/v1/members")).json.invitations.map((i) => i.email)).toContain(email);
    expect(JSON.stringify(await db().invitation.findMany({ where: { email } }))).not.toContain(new URL(invited.json.url ?? "").pathname.split("/")[2]);

    expect((await accept(invited.json.url, { name: "New Person", password: "short" })).status).toBe(422);
    const joined = await accept(invited.json.url, { name: "New Person", password: "a-long-enough-password" });
    expect(joined.status, JSON.stringify(joined.json)).toBe(200);
    const user = await db().user.findUniqueOrThrow({ where: { email } });
    expect((await db().membership.findUniqueOrThrow({ where: { userId_workspaceId: { userId: user.id, workspaceId: owner.workspaceId } } })).role).toBe("admin");
    expect((await accept(invited.json.url, { name: "Again", password: "a-long-enough-password" })).status).toBe(404);
  });

  it("someone with an account accepts only signed in as the invited email, and lands in that workspace", async () => {
    const other = await createActor("owner");
    const invited = await call(admin, "POST /api/v1/invitations", { body: { email: other.email } });
    expect((await accept(invited.json.url, { password: "a-long-enough-password" })).status).toBe(409); // sign in first
    const stranger = await createActor("member");
    expect((await accept(invited.json.url, {}, await sessionCookie(stranger.userId))).status).toBe(403);
    const cookie = await sessionCookie(other.userId);
    expect((await accept(invited.json.url, {}, cookie)).status).toBe(200);
    // The session now works in the workspace it joined.
    const workspaces = await call({ cookie }, "GET /api/v1/workspaces");
    expect(workspaces.json.data.find((w) => w.current)?.id).toBe(owner.workspaceId);
  });

  it("admins can't invite owners or members; revoking stops the link; another workspace's invitation isn't theirs", async () => {
    expect((await call(admin, "POST /api/v1/invitations", { body: { email: uniqueEmail("o"), role: "owner" } })).status).toBe(403);
    expect((await call(admin, "POST /api/v1/invitations", { body: { email: owner.email } })).status).toBe(409);
    expect((await call(admin, "POST /api/v1/invitations", { body: { email: "nobody@sso.invalid" } })).status).toBe(422);
    const invited = await call(admin, "POST /api/v1/invitations", { body: { email: uniqueEmail("revoked") } });
    const outsider = await createActor("admin");
    expect((await call(outsider, "DELETE /api/v1/invitations/{id}", { params: { id: invited.json.id } })).status).toBe(404);
    expect((await call(admin, "DELETE /api/v1/invitations/{id}", { params: { id: invited.json.id } })).status).toBe(204);
    expect((await accept(invited.json.url, { password: "a-long-enough-password" })).status).toBe(404);
  });

  it("an account made from a link is taken over by the identity provider that vouches for its address: the password and all it opened end", async () => {
    const email = uniqueEmail("claimed");
    // Anyone may own a workspace, and so invite any address and set its password from the link.
    const squatter = await createActor("owner");
    const invited = await call(squatter, "POST /api/v1/invitations", { body: { email } });
    expect((await accept(invited.json.url, { name: "Not them", password: "a-long-enough-password" })).status).toBe(200);
    const user = await db().user.findUniqueOrThrow({ where: { email } });
    expect(user.emailVerified).toBe(false);
    // The link's holder is the inviting owner's friend: an admin there, free to invite in turn.
    await db().membership.update({ where: { userId_workspaceId: { userId: user.id, workspaceId: squatter.workspaceId } }, data: { role: "admin" } });
    const cookie = await sessionCookie(user.id);
    const token = (await createApiToken({ userId: user.id, workspaceId: squatter.workspaceId, name: "kept?" })).token;
    expect((await call({ token }, "GET /api/v1/mcp-providers")).status).toBe(200);

    // What the link's holder opened or joined as that account: a connection to one of their servers, an invitation.
    const provider = await call(squatter, "POST /api/v1/mcp-providers", { body: uniqueProvider() });
    await db().upstreamConnection.create({ data: { id: randomUUID(), providerId: provider.json.id, workspaceId: squatter.workspaceId, owner: `user:${user.id}`, userId: user.id, stateEncrypted: "x" } });
    expect((await call({ token }, "POST /api/v1/invitations", { body: { email: uniqueEmail("friend") } })).status).toBe(201);

    const linked = await linkSsoAccount({ issuer: "https://idp.example", subject: randomUUID(), email, emailVerified: true, name: "The real one" });
    expect(linked).toEqual({ userId: user.id });
    expect(await db().membership.findUnique({ where: { userId_workspaceId: { userId: user.id, workspaceId: squatter.workspaceId } } })).toBeNull();
    expect(await db().upstreamConnection.count({ where: { userId: user.id } })).toBe(0);
    expect(await db().invitation.count({ where: { createdBy: user.id, acceptedAt: null } })).toBe(0);
    const after = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.passwordHash).toBeNull();
    expect(after.emailVerified).toBe(true);
    expect((await call({ token }, "GET /api/v1/mcp-providers")).status).toBe(401);
    expect((await call({ cookie }, "GET /api/v1/mcp-providers")).status).toBe(401);
  });

  it("with SSO configured, an invitation is claimed through the identity provider, never with a password", async () => {
    const invited = await call(admin, "POST /api/v1/invitations", { body: { email: uniqueEmail("sso-only") } });
    setEnv({ OIDC_ISSUER: "https://idp.example", OIDC_CLIENT_ID: "console", OIDC_CLIENT_SECRET: "console-secret" });
    try {
      const res = await accept(invited.json.url, { name: "Someone", password: "a-long-enough-password" });
      expect(res.status).toBe(409);
      expect(res.json.detail).toContain("Sign in with SSO");
    } finally {
      setEnv({ OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined, OIDC_CLIENT_SECRET: undefined });
    }
  });

  it("an SSO sign-in joins no invited workspace by itself: the invitee accepts on the invitation's page, signed in", async () => {
    const email = uniqueEmail("sso");
    // Anyone may own a workspace and invite any address: signing in must not land someone there.
    const inviter = await createActor("owner");
    const invited = await call(inviter, "POST /api/v1/invitations", { body: { email, role: "admin" } });
    const linked = await linkSsoAccount({ issuer: "https://idp2.example", subject: randomUUID(), email, emailVerified: true, name: "Verified" });
    expect("userId" in linked).toBe(true);
    const userId = "userId" in linked ? linked.userId : "";
    expect(await db().membership.findUnique({ where: { userId_workspaceId: { userId, workspaceId: inviter.workspaceId } } })).toBeNull();
    expect((await db().invitation.findFirstOrThrow({ where: { email } })).acceptedAt).toBeNull();
    const cookie = await sessionCookie(userId);
    expect((await call({ cookie }, "GET /api/v1/workspaces")).json.data.find((w) => w.current)?.id).not.toBe(inviter.workspaceId);

    expect((await accept(invited.json.url, {}, cookie)).status).toBe(200);
    expect((await db().membership.findUniqueOrThrow({ where: { userId_workspaceId: { userId, workspaceId: inviter.workspaceId } } })).role).toBe("admin");
  });
});

describe("what a member leaves behind", () => {
  it("removing or demoting an admin ends the invitations they made", async () => {
    const other = await createActor("admin", owner.workspaceId);
    const made = await call(other, "POST /api/v1/invitations", { body: { email: uniqueEmail("by-other") } });
    expect((await call(owner, "PATCH /api/v1/members/{user_id}", { params: { user_id: other.userId }, body: { role: "member" } })).status).toBe(200);
    expect((await accept(made.json.url, { name: "Late", password: "a-long-enough-password" })).status).toBe(404);

    const leaving = await createActor("admin", owner.workspaceId);
    const left = await call(leaving, "POST /api/v1/invitations", { body: { email: uniqueEmail("by-leaving") } });
    expect((await call(owner, "DELETE /api/v1/members/{user_id}", { params: { user_id: leaving.userId } })).status).toBe(204);
    expect((await accept(left.json.url, { name: "Late", password: "a-long-enough-password" })).status).toBe(404);
  });

  it("invitations past their week are pruned", async () => {
    const invited = await call(admin, "POST /api/v1/invitations", { body: { email: uniqueEmail("old") } });
    await db().invitation.update({ where: { id: invited.json.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await pruneExpiredInvitations()).toBeGreaterThanOrEqual(1);
    expect(await db().invitation.findUnique({ where: { id: invited.json.id } })).toBeNull();
  });

  it("an accept body past the API's limit is refused before anything is read into memory", async () => {
    const invited = await call(admin, "POST /api/v1/invitations", { body: { email: uniqueEmail("big") } });
    expect((await accept(invited.json.url, { name: "x".repeat(300 * 1024), password: "a-long-enough-password" })).status).toBe(413);
  });

  it("two owners demoting each other at once leave one owner, on either database", async () => {
    for (let round = 0; round < 5; round++) {
      const first = await createActor("owner");
      const second = await createActor("owner", first.workspaceId);
      const results = await Promise.all([
        call(first, "PATCH /api/v1/members/{user_id}", { params: { user_id: second.userId }, body: { role: "member" } }),
        call(second, "PATCH /api/v1/members/{user_id}", { params: { user_id: first.userId }, body: { role: "member" } }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(expect.arrayContaining([200]));
      expect(await db().membership.count({ where: { workspaceId: first.workspaceId, role: "owner" } })).toBe(1);
    }
  });
});

describe("several workspaces", () => {
  it("anyone creates one and owns it; the session switches into it; nothing crosses over", async () => {
    const member = await createActor("member", owner.workspaceId);
    await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider({ name: "Only in the first" }) });
    const cookie = await sessionCookie(member.userId);
    const created = await call({ cookie }, "POST /api/v1/workspaces", { body: { name: "  Side project  " }, headers: { origin: ORIGIN } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: "Side project", role: "owner", current: false });

    expect((await call({ cookie }, "PUT /api/v1/workspaces/current", { body: { workspace_id: created.json.id }, headers: { origin: ORIGIN } })).status).toBe(204);
    const mine = await call({ cookie }, "GET /api/v1/workspaces");
    expect(mine.json.data.map((w) => [w.name, w.role, w.current])).toEqual(expect.arrayContaining([["Side project", "owner", true]]));
    expect((await call({ cookie }, "GET /api/v1/mcp-providers")).json.data).toEqual([]);
    expect((await call({ cookie }, "GET /api/v1/members")).json.data.map((m) => m.user_id)).toEqual([member.userId]);
    // Their API token still acts in the workspace it was made in, and can't switch.
    expect((await call(member, "GET /api/v1/mcp-providers")).json.data.map((p) => p.name)).toContain("Only in the first");
    expect((await call(member, "PUT /api/v1/workspaces/current", { body: { workspace_id: created.json.id } })).status).toBe(403);
    expect((await call(member, "GET /api/v1/api-tokens")).json.data[0]?.workspace.id).toBe(owner.workspaceId);

    const outsider = await createActor("owner");
    expect((await call({ cookie }, "PUT /api/v1/workspaces/current", { body: { workspace_id: outsider.workspaceId }, headers: { origin: ORIGIN } })).status).toBe(404);
    expect((await call(outsider, "PATCH /api/v1/members/{user_id}", { params: { user_id: member.userId }, body: { role: "admin" } })).status).toBe(404);
    expect((await call(outsider, "DELETE /api/v1/members/{user_id}", { params: { user_id: member.userId } })).status).toBe(404);
  });
});
