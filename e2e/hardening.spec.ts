// Attacks from outside, against a console of their own: the sign-in lock holds whatever shape the
// request takes, a signed-out cookie is dead everywhere, paths that aren't valid percent-encoding
// are a 404, pages and API answers carry protective headers, and sign-in never redirects off-site.
import { expect, test } from "./fixtures";
import { z } from "zod";
import { problemSchema } from "@/lib/api/errors";
import { csrf, postSignIn } from "./support/auth-http";

const sessionSchema = z.object({ user: z.unknown().optional() });
import { SERVERS, USERS } from "./users";

const base = SERVERS.hardening;

test("a locked account stays locked: no path, spelling or body shape gets past the count", async ({ playwright }) => {
  const request = await playwright.request.newContext();
  const { email, password } = USERS.victim;
  for (let i = 0; i < 10; i++) {
    const attempt = await postSignIn(request, base, { form: [["email", email], ["password", `guess-${i}`]] });
    expect(attempt.error).toBe("CredentialsSignin");
  }
  const bypasses: [string, Parameters<typeof postSignIn>[2]][] = [
    ["an extra path segment", { path: "/api/auth/callback/credentials/x", form: [["email", email], ["password", password]] }],
    ["a leading space", { form: [["email", ` ${email}`], ["password", password]] }],
    ["a trailing tab", { form: [["email", `${email}\t`], ["password", password]] }],
    ["two email fields", { form: [["email", "someone-else@e2e.test"], ["email", email], ["password", password]] }],
    ["a JSON body", { json: { email, password } }],
    ["the plain right password", { form: [["email", email], ["password", password]] }],
  ];
  for (const [label, attempt] of bypasses) {
    const result = await postSignIn(request, base, attempt);
    expect(result.signedIn, label).toBe(false);
    expect(result.error, label).toMatch(/^RateLimited:\d+$/);
  }
  await request.dispose();
});

test("the right password of a user in no workspace says why on the sign-in page", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(USERS.orphan.email);
  await page.getByLabel("Password").fill(USERS.orphan.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.locator("#signin-error")).toHaveText("Your account isn't a member of any workspace yet. Ask an admin to add you.");
});

test("after sign-in, a callbackUrl that leaves the console lands on the console instead", async ({ page }) => {
  await page.goto("/signin?callbackUrl=/%5Cevil.example");
  await page.getByLabel("Email").fill(USERS.owner.email);
  await page.getByLabel("Password").fill(USERS.owner.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "MCP providers", exact: true })).toBeVisible();
  expect(new URL(page.url()).origin).toBe(base);
});

test("a signed-out cookie gets nothing from /api/auth/session, and is cleared", async ({ playwright }) => {
  const request = await playwright.request.newContext();
  const signedIn = await postSignIn(request, base, { form: [["email", USERS.member.email], ["password", USERS.member.password]] });
  expect(signedIn.signedIn).toBe(true);
  const cookie = (await request.storageState()).cookies.find((c) => c.name === "next-auth.session-token");
  if (!cookie) throw new Error("signing in set no session cookie");
  expect(sessionSchema.parse(await (await request.get(`${base}/api/auth/session`)).json()).user).toBeTruthy();

  await request.post(`${base}/api/auth/signout`, { form: { csrfToken: await csrf(request, base) }, maxRedirects: 0 });

  // The copied cookie, after sign-out, from another client.
  const replay = await playwright.request.newContext({ extraHTTPHeaders: { cookie: `next-auth.session-token=${cookie.value}` } });
  const session = await replay.get(`${base}/api/auth/session`);
  expect(await session.json()).toEqual({});
  const cleared = session.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value);
  expect(cleared.some((value) => /^next-auth\.session-token=;/.test(value) || /next-auth\.session-token=[^;]*;.*Max-Age=0/i.test(value))).toBe(true);
  expect((await replay.get(`${base}/api/v1/mcp-providers`)).status()).toBe(401);
  await Promise.all([request.dispose(), replay.dispose()]);
});

test("paths that aren't valid percent-encoding are 404s, never 500s", async ({ request }) => {
  for (const [method, path] of [["GET", "/api/v1/mcp-providers/%ff"], ["DELETE", "/api/v1/api-tokens/%ff"], ["GET", "/api/v1/mcp-providers/%ff/tools"]] as const) {
    const res = await request.fetch(`${base}${path}`, { method });
    expect(res.status(), path).toBe(404);
    expect(res.headers()["content-type"]).toBe("application/problem+json");
    expect(problemSchema.parse(await res.json()).code).toBe("not_found");
  }
  const page = await request.get(`${base}/settings/providers/%ff`);
  expect(page.status()).toBe(404);
  expect(page.headers()["content-type"]).toContain("text/html");
});

test("oversized and malformed sign-in bodies are refused without a server error", async ({ request }) => {
  const huge = await postSignIn(request, base, { form: [["email", `${"x".repeat(200 * 1024)}@e2e.test`], ["password", "x"]] });
  expect(huge.status).toBe(413);
  const malformed = await request.post(`${base}/api/auth/callback/credentials`, { data: Buffer.from("{not json"), headers: { "content-type": "application/json" }, maxRedirects: 0 });
  expect(malformed.status()).toBe(422);
  expect(malformed.headers()["content-type"]).toBe("application/problem+json");
});

test("pages and API answers carry protective headers, and the page's scripts run under its policy", async ({ page, request }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (execute|load)/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto("/signin");
  if (!response) throw new Error("the page did not load");
  const headers = response.headers();
  const nonce = /'nonce-([^']+)'/.exec(headers["content-security-policy"])?.[1];
  expect(nonce).toBeTruthy();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers).toMatchObject({ "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY" });
  expect(headers["permissions-policy"]).toContain("camera=()");
  expect(headers["strict-transport-security"]).toBeUndefined(); // plain http here
  // Next put the response's nonce on its scripts, and they ran: the form is interactive.
  expect(await page.locator(`script[nonce]`).count()).toBeGreaterThan(0);
  await page.getByLabel("Email").fill(USERS.owner.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.locator("#signin-error")).toHaveText("That email and password don't match an account.");
  expect(violations).toEqual([]);

  const api = await request.get(`${base}/api/v1/features`);
  expect(api.headers()).toMatchObject({ "content-security-policy": "default-src 'none'; frame-ancestors 'none'", "x-content-type-options": "nosniff" });
  // A page answers a second request with another nonce.
  const again = await request.get(`${base}/signin`);
  expect(/'nonce-([^']+)'/.exec(again.headers()["content-security-policy"])?.[1]).not.toBe(nonce);
});

// This console trusts a proxy on loopback (TRUSTED_PROXIES=127.0.0.1), as if behind one.
test("behind a trusted proxy: HSTS when it says https, and X-Forwarded-For names the client the limits count", async ({ playwright }) => {
  const viaHttps = await playwright.request.newContext({ extraHTTPHeaders: { "x-forwarded-proto": "https" } });
  expect((await viaHttps.get(`${base}/signin`)).headers()["strict-transport-security"]).toMatch(/^max-age=\d+/);
  await viaHttps.dispose();

  const from = (address: string) => playwright.request.newContext({ extraHTTPHeaders: { "x-forwarded-for": `203.0.113.9, ${address}` } });
  const noisy = await from("198.51.100.1");
  for (let i = 0; i < 50; i++) expect((await postSignIn(noisy, base, { form: [["email", `nobody-${i}@e2e.test`], ["password", "x"]] })).error).toBe("CredentialsSignin");
  expect((await postSignIn(noisy, base, { form: [["email", "nobody@e2e.test"], ["password", "x"]] })).error).toMatch(/^RateLimited/);
  const quiet = await from("198.51.100.2");
  expect((await postSignIn(quiet, base, { form: [["email", "nobody@e2e.test"], ["password", "x"]] })).error).toBe("CredentialsSignin");
  await Promise.all([noisy.dispose(), quiet.dispose()]);
});
