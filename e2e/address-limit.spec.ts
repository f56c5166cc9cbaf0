// The client's address is the socket's peer unless a trusted proxy says otherwise: a header the
// client writes itself can't spread its attempts over many "addresses".
import { expect, test } from "./fixtures";
import { postSignIn } from "./support/auth-http";
import { SERVERS } from "./users";

const base = SERVERS.addressLimit;

test("X-Forwarded-For and X-Real-IP don't choose the address the sign-in limit counts", async ({ playwright }) => {
  for (let i = 0; i < 50; i++) {
    const request = await playwright.request.newContext({ extraHTTPHeaders: { "x-forwarded-for": `198.51.100.${i}`, "x-real-ip": `203.0.113.${i}` } });
    const attempt = await postSignIn(request, base, { form: [["email", `nobody-${i}@e2e.test`], ["password", "x"]] });
    expect(attempt.error).toBe("CredentialsSignin");
    await request.dispose();
  }
  const fresh = await playwright.request.newContext({ extraHTTPHeaders: { "x-forwarded-for": "192.0.2.77", "x-real-ip": "192.0.2.78" } });
  const refused = await postSignIn(fresh, base, { form: [["email", "nobody-else@e2e.test"], ["password", "x"]] });
  expect(refused.error).toMatch(/^RateLimited:\d+$/);
  await fresh.dispose();
});

test("a client can't claim https for itself: no HSTS from a spoofed X-Forwarded-Proto", async ({ request }) => {
  const res = await request.get(`${base}/signin`, { headers: { "x-forwarded-proto": "https" } });
  expect(res.headers()["strict-transport-security"]).toBeUndefined();
});
