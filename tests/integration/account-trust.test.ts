// Who may get a role, and who an address belongs to (issue 21, SPEC §12): nobody joins a workspace
// without accepting, signed in; adding an address answers the same whether or not it has an
// account; invitations show in the console only to a verified address; Members says which
// addresses are verified and how.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { linkSsoAccount } from "@/lib/auth/sso";
import { db } from "@/lib/db";
import { resetEnvForTests } from "@/lib/env";
import { hit, LIMITS } from "@/lib/rate-limit";
import { call, createActor, ORIGIN, sessionCookie } from "./helpers";
import { acceptInvitationLink } from "./invitation-link";
import { present } from "@/tests/support/present";
import { pendingInvitation } from "@/lib/workspaces/invitations";

const uniqueEmail = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}@example.test`;

const acceptLink = async (url: string | null, body: Record<string, unknown>, cookie?: string) => (await acceptInvitationLink(url, body, cookie)).status;

const membershipOf = (userId: string, workspaceId: string) => db().membership.findUnique({ where: { userId_workspaceId: { userId, workspaceId } } });

/** An account for `email` made by whoever held an invitation link: its address is only claimed. */
async function squat(email: string, role: "member" | "admin" = "member") {
  const squatter = await createActor("owner");
  const invited = await call(squatter, "POST /api/v1/invitations", { body: { email, role } });
  expect(await acceptLink(invited.json.url, { name: "Not them", password: "a-long-enough-password" })).toBe(200);
  return { squatter, user: await db().user.findUniqueOrThrow({ where: { email } }) };
}

/** A person whose identity provider vouched for their address. */
async function ssoPerson(email: string) {
  const linked = await linkSsoAccount({ issuer: "https://idp.trust.example", subject: randomUUID(), email, emailVerified: true, name: "SSO person" });
  if (!("userId" in linked)) throw new Error("not linked");
  return { userId: linked.userId, cookie: await sessionCookie(linked.userId) };
}

describe("adding an address makes an invitation, never a membership", () => {
  it("an admin adding a squatted address gives the squatter no role: the claimed account sees no invitation and can't accept one", async () => {
    const real = await createActor("owner");
    const email = uniqueEmail("squatted");
    const { user } = await squat(email);
    const added = await call(real, "POST /api/v1/members", { body: { email, role: "admin" } });
    expect(added.status).toBe(201);
    expect(await membershipOf(user.id, real.workspaceId)).toBeNull();

    const squatterCookie = await sessionCookie(user.id);
    const mine = await call({ cookie: squatterCookie }, "GET /api/v1/my-invitations");
    expect(mine.json).toMatchObject({ address_verified: false, data: [] });
    const accepted = await call({ cookie: squatterCookie }, "POST /api/v1/my-invitations/{id}/accept", { params: { id: added.json.id }, headers: { origin: ORIGIN } });
    expect(accepted.status).toBe(404);
    expect(await membershipOf(user.id, real.workspaceId)).toBeNull();
    expect((await call({ cookie: squatterCookie }, "GET /api/v1/workspaces")).json.data.map((w) => w.id)).not.toContain(real.workspaceId);
  });

  it("an ordinary user can't put the console's owner into her workspace as owner: an invitation the owner may decline", async () => {
    const consoleOwner = await ssoPerson(uniqueEmail("console-owner"));
    const email = (await db().user.findUniqueOrThrow({ where: { id: consoleOwner.userId } })).email;
    const mallory = await createActor("owner");
    const added = await call(mallory, "POST /api/v1/members", { body: { email, role: "owner" } });
    expect(added.status).toBe(201);
    expect(await membershipOf(consoleOwner.userId, mallory.workspaceId)).toBeNull();
    expect((await call({ cookie: consoleOwner.cookie }, "GET /api/v1/workspaces")).json.data.map((w) => w.id)).not.toContain(mallory.workspaceId);

    const mine = await call({ cookie: consoleOwner.cookie }, "GET /api/v1/my-invitations");
    expect(mine.json.address_verified).toBe(true);
    expect(mine.json.data.map((i) => [i.workspace.id, i.role])).toContainEqual([mallory.workspaceId, "owner"]);
    expect((await call({ cookie: consoleOwner.cookie }, "DELETE /api/v1/my-invitations/{id}", { params: { id: added.json.id }, headers: { origin: ORIGIN } })).status).toBe(204);
    expect(await db().invitation.count({ where: { id: added.json.id } })).toBe(0);
    expect(await membershipOf(consoleOwner.userId, mallory.workspaceId)).toBeNull();
  });

  it("known and unknown addresses get the same answer: no name, no sign-in methods, no 404", async () => {
    const admin = await createActor("admin");
    const known = await ssoPerson(uniqueEmail("known"));
    const knownEmail = (await db().user.findUniqueOrThrow({ where: { id: known.userId } })).email;
    const answers = await Promise.all([knownEmail, uniqueEmail("unknown")].map((email) => call(admin, "POST /api/v1/members", { body: { email } })));
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    const shape = (json: Record<string, unknown>) => Object.keys(json).sort();
    expect(shape(answers[0].json)).toEqual(shape(answers[1].json));
    expect(answers.map((a) => [a.json.mailed, typeof a.json.url])).toEqual([[false, "string"], [false, "string"]]);
    expect(JSON.stringify(answers[0].json)).not.toMatch(/SSO person|sign_in|"sso"/);
  });

  it("an invitation link shown to the admin opens the same page for known and unknown addresses", async () => {
    const admin = await createActor("admin");
    const known = await createActor("member");
    const links = await Promise.all([known.email, uniqueEmail("unknown")].map(async (email) => (await call(admin, "POST /api/v1/invitations", { body: { email } })).json.url));
    const pages = await Promise.all(links.map((url) => pendingInvitation(new URL(present(url, "a link")).pathname.split("/")[2] ?? "")));
    const shown = pages.map((page) => ({ ...present(page, "a pending invitation"), id: undefined, email: undefined }));
    expect(shown[0]).toEqual(shown[1]);
    expect(shown[0].offer).toBe("sign-in-or-create");
    // Creating an account there is the one way to tell (and it takes an invitation each time).
    expect((await acceptInvitationLink(links[0], { name: "Prober", password: "a-long-enough-password" })).status).toBe(409);
    expect((await db().user.findUniqueOrThrow({ where: { id: known.userId } })).name).not.toBe("Prober");
  });

  it("adding is limited per caller: past the invitations an hour allows, 429", async () => {
    const admin = await createActor("admin");
    for (let i = 0; i < LIMITS.invitationsPerUser.max; i++) await hit(LIMITS.invitationsPerUser, admin.userId);
    const refused = await call(admin, "POST /api/v1/members", { body: { email: uniqueEmail("late") } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("accepting in the console", () => {
  it("a verified person accepts in the console, signed in — never with an API token — and holds the invited role", async () => {
    const admin = await createActor("admin");
    const person = await ssoPerson(uniqueEmail("invitee"));
    const email = (await db().user.findUniqueOrThrow({ where: { id: person.userId } })).email;
    const added = await call(admin, "POST /api/v1/members", { body: { email, role: "admin" } });
    const token = await createActor("member");
    // Their own API token (made in another workspace) can't accept for them.
    await db().apiToken.updateMany({ where: { userId: token.userId }, data: { userId: person.userId } });
    await db().membership.create({ data: { userId: person.userId, workspaceId: token.workspaceId, role: "member", createdAt: new Date() } });
    expect((await call({ token: token.token }, "POST /api/v1/my-invitations/{id}/accept", { params: { id: added.json.id } })).status).toBe(403);
    expect(await membershipOf(person.userId, admin.workspaceId)).toBeNull();

    const accepted = await call({ cookie: person.cookie }, "POST /api/v1/my-invitations/{id}/accept", { params: { id: added.json.id }, headers: { origin: ORIGIN } });
    expect(accepted.status).toBe(200);
    expect(accepted.json.workspace_id).toBe(admin.workspaceId);
    expect((await membershipOf(person.userId, admin.workspaceId))?.role).toBe("admin");
    // Used up: neither the console nor the link accepts it again.
    expect((await call({ cookie: person.cookie }, "POST /api/v1/my-invitations/{id}/accept", { params: { id: added.json.id }, headers: { origin: ORIGIN } })).status).toBe(404);
  });

  it("someone else's invitation is a 404, as is one for an unverified address", async () => {
    const admin = await createActor("admin");
    const invited = await call(admin, "POST /api/v1/members", { body: { email: uniqueEmail("someone") } });
    const other = await ssoPerson(uniqueEmail("other"));
    expect((await call({ cookie: other.cookie }, "POST /api/v1/my-invitations/{id}/accept", { params: { id: invited.json.id }, headers: { origin: ORIGIN } })).status).toBe(404);
    expect((await call({ cookie: other.cookie }, "DELETE /api/v1/my-invitations/{id}", { params: { id: invited.json.id }, headers: { origin: ORIGIN } })).status).toBe(404);
    expect(await db().invitation.count({ where: { id: invited.json.id } })).toBe(1);
  });
});

describe("Members shows whose address is verified", () => {
  it("verified by SSO, only claimed, or made by the operator and not verified", async () => {
    const admin = await createActor("admin");
    const sso = await ssoPerson(uniqueEmail("sso-member"));
    await db().membership.create({ data: { userId: sso.userId, workspaceId: admin.workspaceId, role: "member", createdAt: new Date() } });
    const claimed = await squat(uniqueEmail("claimed-member"));
    await db().membership.create({ data: { userId: claimed.user.id, workspaceId: admin.workspaceId, role: "member", createdAt: new Date() } });
    const list = await call(admin, "GET /api/v1/members");
    const by = (userId: string) => list.json.data.find((m) => m.user_id === userId)?.email_verified_by;
    const claimedOnly = (userId: string) => list.json.data.find((m) => m.user_id === userId)?.email_claimed_only;
    expect(by(sso.userId)).toBe("sso");
    expect(by(claimed.user.id)).toBeNull();
    expect(claimedOnly(claimed.user.id)).toBe(true);
    // An account the operator made proved nothing, but nobody claimed it from a link either.
    expect(by(admin.userId)).toBeNull();
    expect(claimedOnly(admin.userId)).toBe(false);
    expect(claimedOnly(sso.userId)).toBe(false);
  });

  it("an existing account's address becomes verified by SSO only when the identity provider says email_verified", async () => {
    const admin = await createActor("admin");
    const unsure = await createActor("member", admin.workspaceId);
    await linkSsoAccount({ issuer: "https://idp.unsure.example", subject: randomUUID(), email: unsure.email, emailVerified: false, name: "Unsure" });
    const sure = await createActor("member", admin.workspaceId);
    const subject = randomUUID();
    // Linked once without the claim (OIDC_TRUST_UNVERIFIED_EMAIL links it), then signing in with it.
    await db().ssoAccount.create({ data: { id: randomUUID(), userId: sure.userId, issuer: "https://idp.sure.example", subject, createdAt: new Date() } });
    await linkSsoAccount({ issuer: "https://idp.sure.example", subject, email: sure.email.toUpperCase(), emailVerified: true, name: "Sure" });
    const list = (await call(admin, "GET /api/v1/members")).json.data;
    expect(list.find((m) => m.user_id === unsure.userId)?.email_verified_by).toBeNull();
    expect(list.find((m) => m.user_id === sure.userId)?.email_verified_by).toBe("sso");
  });
});

describe("an address the identity provider didn't verify (OIDC_TRUST_UNVERIFIED_EMAIL) is only claimed", () => {
  const trustingUnverified = async <T>(run: () => Promise<T>): Promise<T> => {
    process.env.OIDC_TRUST_UNVERIFIED_EMAIL = "true";
    resetEnvForTests();
    try {
      return await run();
    } finally {
      Reflect.deleteProperty(process.env, "OIDC_TRUST_UNVERIFIED_EMAIL");
      resetEnvForTests();
    }
  };

  it("it takes no claimed account over and verifies nothing", async () => {
    const email = uniqueEmail("unverified-sso");
    const { user } = await squat(email);
    const linked = await trustingUnverified(() => linkSsoAccount({ issuer: "https://idp.unsure.example", subject: randomUUID(), email, name: "Unsure" }));
    expect(linked).not.toEqual({ userId: user.id });
    const after = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect([after.passwordHash, after.emailVerified, after.emailVerifiedAt]).toEqual([user.passwordHash, false, null]);
    expect(await db().ssoAccount.count({ where: { userId: user.id } })).toBe(0);
  });

  it("a new SSO user with it is made claimed, so a verified sign-in can take it over", async () => {
    const email = uniqueEmail("new-unverified-sso");
    const first = await trustingUnverified(() => linkSsoAccount({ issuer: "https://idp.unsure.example", subject: randomUUID(), email, name: "Unsure" }));
    if (!("userId" in first)) throw new Error("not linked");
    expect(await db().user.findUniqueOrThrow({ where: { id: first.userId } })).toMatchObject({ email, emailVerified: false, emailVerifiedAt: null });
    // The owner signs in at the same issuer (a console has one), with the address verified.
    const ownerSubject = randomUUID();
    const owner = await linkSsoAccount({ issuer: "https://idp.unsure.example", subject: ownerSubject, email, emailVerified: true, name: "Owner" });
    expect(owner).toEqual({ userId: first.userId });
    expect(await db().user.findUniqueOrThrow({ where: { id: first.userId } })).toMatchObject({ emailVerifiedBy: "sso", name: "Owner" });
    // The claimant's own identity no longer signs in as the account.
    expect((await db().ssoAccount.findMany({ where: { userId: first.userId } })).map((a) => a.subject)).toEqual([ownerSubject]);
  });
});

describe("the way in for a person whose address someone claimed, without SSO or mail", () => {
  it("the operator's user:add gives the account a password and ends everything the claimant held", async () => {
    const email = uniqueEmail("operator");
    const { user } = await squat(email, "admin");
    const squatterCookie = await sessionCookie(user.id);
    const root = path.resolve(import.meta.dirname, "../..");
    await promisify(execFile)(path.join(root, "node_modules/.bin/tsx"), ["--conditions=react-server", "scripts/add-user.ts", "--email", email, "--password", "the-operator-gave-this"], { cwd: root, env: process.env, timeout: 60_000 });
    // What remains is the script's own: a member of the console's first workspace.
    const first = await db().workspace.findFirstOrThrow({ orderBy: { createdAt: "asc" } });
    expect((await db().membership.findMany({ where: { userId: user.id } })).map((m) => [m.workspaceId, m.role])).toEqual([[first.id, "member"]]);
    expect((await call({ cookie: squatterCookie }, "GET /api/v1/workspaces")).status).toBe(401);
    const after = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.passwordHash).not.toBe(user.passwordHash);
    expect(after.emailVerifiedAt).toBeNull();
    // Nor does the claimant's name stay: the operator gave none, so the address's local part.
    expect(after.name).toBe(email.split("@")[0]);
  }, 90_000);
});
