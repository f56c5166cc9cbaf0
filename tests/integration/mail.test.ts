// Mail, when SMTP_URL is set, against a real SMTP server the test starts: invitations and
// address-verification links go to the address, not to the admin, and following one proves the
// address — which also lets its owner take back an account someone else made for it.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import VerifyEmailPage from "@/app/verify-email/[token]/page";
import { POST as confirmRoute } from "@/app/verify-email/[token]/confirm/route";
import { confirmAddress, verificationState, verificationToken } from "@/lib/auth/email-verification";
import { db } from "@/lib/db";
import { LIMITS } from "@/lib/rate-limit";
import { call, createActor, ORIGIN, sessionCookie } from "./helpers";
import { acceptInvitationLink } from "./invitation-link";
import { setEnv } from "./identity-fixture";
import { startSmtpServer } from "./smtp-fixture";

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => { smtp = await startSmtpServer(); });
afterAll(async () => { smtp.unset(); await smtp.stop(); });

const uniqueEmail = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}@example.test`;

/** The verification page's Verify button, pressed in a browser that sends `origin`. */
const confirmLink = (token: string, origin: string) =>
  confirmRoute(new NextRequest(`${ORIGIN}/verify-email/${token}/confirm`, { method: "POST", headers: { origin } }), { params: Promise.resolve({ token }) });

const acceptLink = async (url: string | null, body: Record<string, unknown>, cookie?: string) => (await acceptInvitationLink(url, body, cookie)).status;

describe("with SMTP configured", () => {
  it("an invitation is mailed to the address, not shown to the admin; following it makes an account whose address is verified", async () => {
    smtp.use();
    const admin = await createActor("admin");
    const email = uniqueEmail("mailed");
    const invited = await call(admin, "POST /api/v1/members", { body: { email, role: "admin" } });
    expect(invited.status).toBe(201);
    expect(invited.json).toMatchObject({ email, mailed: true, url: null });
    const link = smtp.linkTo(email, "/invite/");
    expect(link.startsWith(`${ORIGIN}/invite/`)).toBe(true);
    expect(smtp.received.findLast((m) => m.to.includes(email))?.raw).toContain(admin.email);

    expect(await acceptLink(link, { name: "Mailed", password: "a-long-enough-password" })).toBe(200);
    const user = await db().user.findUniqueOrThrow({ where: { email } });
    expect(user.emailVerifiedBy).toBe("email");
    expect((await call(admin, "GET /api/v1/members")).json.data.find((m) => m.email === email)?.email_verified_by).toBe("email");
  });

  it("the owner of a squatted address takes the account back through the mailed invitation: the squatter loses it and all it held", async () => {
    const email = uniqueEmail("taken-back");
    // No mail yet: the squatter's own workspace shows them a link for the address, and they use it.
    smtp.unset();
    const squatter = await createActor("owner");
    const shown = await call(squatter, "POST /api/v1/invitations", { body: { email } });
    expect(await acceptLink(shown.json.url, { name: "Not them", password: "the-squatters-password" })).toBe(200);
    const claimed = await db().user.findUniqueOrThrow({ where: { email } });
    const squatterCookie = await sessionCookie(claimed.id);

    smtp.use();
    // The claimant can't have a verification mail sent to the address, for its owner to click unawares.
    expect((await call({ cookie: squatterCookie }, "GET /api/v1/my-invitations")).json.can_verify_by_mail).toBe(false);
    expect((await call({ cookie: squatterCookie }, "POST /api/v1/account/email-verification", { headers: { origin: ORIGIN } })).status).toBe(409);
    expect(smtp.received.filter((m) => m.to.includes(email))).toHaveLength(0);
    const real = await createActor("owner");
    expect((await call(real, "POST /api/v1/members", { body: { email, role: "admin" } })).json.mailed).toBe(true);
    expect(await acceptLink(smtp.linkTo(email, "/invite/"), { name: "The real one", password: "the-owners-own-password" })).toBe(200);

    const after = await db().user.findUniqueOrThrow({ where: { email } });
    expect(after.id).toBe(claimed.id);
    expect(after.emailVerifiedBy).toBe("email");
    expect(after.passwordHash).not.toBe(claimed.passwordHash);
    expect(await db().membership.findUnique({ where: { userId_workspaceId: { userId: claimed.id, workspaceId: squatter.workspaceId } } })).toBeNull();
    expect((await db().membership.findUniqueOrThrow({ where: { userId_workspaceId: { userId: claimed.id, workspaceId: real.workspaceId } } })).role).toBe("admin");
    expect((await call({ cookie: squatterCookie }, "GET /api/v1/workspaces")).status).toBe(401);
  });

  it("a signed-in person verifies their address by a mailed link, and then sees invitations to it in the console", async () => {
    smtp.use();
    const person = await createActor("member");
    const cookie = await sessionCookie(person.userId);
    const admin = await createActor("admin");
    const invited = await call(admin, "POST /api/v1/members", { body: { email: person.email } });
    expect((await call({ cookie }, "GET /api/v1/my-invitations")).json).toMatchObject({ address_verified: false, can_verify_by_mail: true, data: [] });

    const sent = await call({ cookie }, "POST /api/v1/account/email-verification", { headers: { origin: ORIGIN } });
    expect(sent.status).toBe(200);
    expect(sent.json.sent_to).toBe(person.email);
    const link = smtp.linkTo(person.email, "/verify-email/");
    const token = decodeURIComponent(new URL(link).pathname.split("/")[2] ?? "");
    // A forged or altered link verifies nothing.
    expect(await confirmAddress(`${token}x`)).toBe(false);
    expect(await confirmAddress(verificationToken(person.userId, person.email, Date.now() - 48 * 3600_000))).toBe(false);
    // Opening the link (as a mail scanner does) verifies nothing; its page's Verify button does.
    await VerifyEmailPage({ params: Promise.resolve({ token }) });
    expect(await verificationState(token)).toBe("pending");
    // A browser posts the page's form with Origin: null (every page is Referrer-Policy: no-referrer).
    const confirmed = await confirmLink(token, "null");
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get("location")).toBe(`${ORIGIN}/verify-email/${token}`);
    expect(await verificationState(token)).toBe("verified");

    const mine = await call({ cookie }, "GET /api/v1/my-invitations");
    expect(mine.json.address_verified).toBe(true);
    expect(mine.json.data.map((i) => i.id)).toContain(invited.json.id);
    expect((await call({ cookie }, "POST /api/v1/account/email-verification", { headers: { origin: ORIGIN } })).json.sent_to).toBeNull();
  });

  it("an address gets at most five invitation mails an hour, whoever sends them; past that nobody is shown a link", async () => {
    smtp.use();
    const email = uniqueEmail("flooded");
    for (let i = 0; i < LIMITS.invitationMailsPerAddress.max; i++) expect((await call(await createActor("owner"), "POST /api/v1/invitations", { body: { email } })).status).toBe(201);
    const next = await call(await createActor("owner"), "POST /api/v1/members", { body: { email } });
    expect(next.status).toBe(429);
    expect(JSON.stringify(next.json)).not.toContain("/invite/");
    expect(smtp.received.filter((m) => m.to.includes(email))).toHaveLength(LIMITS.invitationMailsPerAddress.max);
  });

  it("an address a mailer would read as a name, group or list is refused, so nobody else gets the mail", async () => {
    smtp.use();
    const admin = await createActor("owner");
    const victim = uniqueEmail("victim");
    for (const email of [`x<${victim}>`, `a,${victim}`, `a;${victim}`, `"a"${victim}`, `group:${victim}`, `a(${victim})`]) {
      const refused = await call(admin, "POST /api/v1/invitations", { body: { email } });
      expect(refused.status, email).toBe(422);
      expect(refused.json.errors).toContainEqual(expect.objectContaining({ path: "email" }));
    }
    expect(smtp.received.filter((m) => m.to.includes(victim))).toHaveLength(0);
  });

  it("when the mail can't be sent, the admin is shown the link, and following it proves nothing", async () => {
    const closed = await startSmtpServer();
    await closed.stop();
    setEnv({ SMTP_URL: `smtp://127.0.0.1:${closed.port}` });
    const admin = await createActor("admin");
    const email = uniqueEmail("unsent");
    const invited = await call(admin, "POST /api/v1/invitations", { body: { email } });
    expect(invited.status).toBe(201);
    expect(invited.json.mailed).toBe(false);
    expect(await acceptLink(invited.json.url, { name: "Someone", password: "a-long-enough-password" })).toBe(200);
    expect((await db().user.findUniqueOrThrow({ where: { email } })).emailVerifiedAt).toBeNull();
    smtp.use();
  });
});
