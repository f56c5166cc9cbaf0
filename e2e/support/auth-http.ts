// Sign-in over plain HTTP, the way a script (or an attacker) would: CSRF token from
// /api/auth/csrf, then a POST to the credentials callback in whatever shape the test wants.
import type { APIRequestContext } from "@playwright/test";

export async function csrf(request: APIRequestContext, base: string): Promise<string> {
  const res = await request.get(`${base}/api/auth/csrf`);
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}

export type SignInAttempt = { status: number; location: string; signedIn: boolean; error: string | null };

/** POSTs a sign-in; `form` entries may repeat a name. Never follows the redirect. */
export async function postSignIn(
  request: APIRequestContext,
  base: string,
  options: { path?: string; form?: [string, string][]; json?: Record<string, unknown> },
): Promise<SignInAttempt> {
  const token = await csrf(request, base);
  const path = options.path ?? "/api/auth/callback/credentials";
  const res = options.json
    ? await request.post(`${base}${path}`, { data: JSON.stringify({ csrfToken: token, ...options.json }), headers: { "content-type": "application/json" }, maxRedirects: 0 })
    : await request.post(`${base}${path}`, {
        data: new URLSearchParams([["csrfToken", token], ...(options.form ?? [])]).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
        maxRedirects: 0,
      });
  const location = res.headers()["location"] ?? "";
  const cookies = res.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value);
  const signedIn = cookies.some((cookie) => /^next-auth\.session-token=[^;]+/.test(cookie) && !/^next-auth\.session-token=;/.test(cookie));
  return { status: res.status(), location, signedIn, error: location ? new URL(location, base).searchParams.get("error") : null };
}
