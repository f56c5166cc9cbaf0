// Signs a user in at the test IdP the way a browser would (authorization code flow, headless via
// login_hint) and returns their tokens — for tests that need a user with a real SSO refresh token.
export async function ssoLogin(options: { issuer: string; clientId: string; clientSecret: string; redirectUri: string; loginHint: string }) {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, value] = [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)];
      jar.set(name.trim(), value);
    }
  };
  const auth = new URL(`${options.issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: options.clientId,
    response_type: "code",
    scope: "openid email profile offline_access",
    redirect_uri: options.redirectUri,
    prompt: "consent",
    login_hint: options.loginHint,
    state: "s",
  }).toString();
  let next = auth.toString();
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(next, { redirect: "manual", headers: { cookie: cookieHeader() } });
    remember(res);
    const location = res.headers.get("location");
    if (!location) throw new Error(`SSO login stopped at ${next} with ${res.status}`);
    const target = new URL(location, next);
    if (target.href.startsWith(options.redirectUri)) {
      const code = target.searchParams.get("code");
      if (!code) throw new Error(`no code: ${target.search}`);
      const token = await fetch(`${options.issuer}/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString("base64")}`,
        },
        body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: options.redirectUri }),
      });
      const body = (await token.json()) as { refresh_token?: string; access_token?: string; id_token?: string; error?: string };
      if (!body.refresh_token) throw new Error(`no refresh token: ${JSON.stringify(body)}`);
      return body as { refresh_token: string; access_token: string; id_token: string };
    }
    next = target.href;
  }
  throw new Error("too many redirects during SSO login");
}
