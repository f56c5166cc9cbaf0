// The identity stack the forwarding tests share: a real OpenID Provider (oidc-provider), MCP
// servers that verify its JWTs, and the console's own /inner issuer route served over HTTP — plus
// helpers for SSO users and forwarding providers. Each test file starts its own.
import http from "node:http";
import { decodeJwt } from "jose";
import { expect } from "vitest";
import { createApiToken } from "@/lib/auth/api-tokens";
import { linkSsoAccount } from "@/lib/auth/sso";
import { backgroundTasksSettled } from "@/lib/background";
import { db } from "@/lib/db";
import { resetEnvForTests } from "@/lib/env";
import { BuiltinIssuer } from "@/lib/identity/builtin-issuer";
import { clearTokenCacheForTests } from "@/lib/identity/token-cache";
import { setTokenIssuerForTests } from "@/lib/identity/token-issuer";
import type { TokenIssuer } from "@/lib/identity/types";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { POST as issueTokenRoute } from "@/app/inner/api/mcp/issue-token/route";
import { asyncListener, readBody } from "../../e2e/support/http";
import { listenOnFreePort } from "../../e2e/support/ports";
import { ssoLogin } from "../../e2e/support/sso-login";
import { startTestIdp, type ExchangeKind } from "../../e2e/support/test-idp";
import { startWhoamiServer, type WhoamiServer } from "../../e2e/support/whoami-server";
import { call, createActor, ORIGIN, type Actor } from "./helpers";

export const CLIENT = { client_id: "mcp-console", client_secret: "console-client-secret", redirect_uris: [`${ORIGIN}/api/auth/callback/oidc`] };
export const STATIC = "Bearer static-shared-secret";
export const INNER_SECRET = "inner-secret-0123456789-0123456789";

export function setEnv(overrides: Record<string, string | undefined>) {
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = value;
  }
  resetEnvForTests();
}

export type IdentityFixture = Awaited<ReturnType<typeof startIdentityFixture>>;

/** `exchanges`: the grants beyond refresh the IdP offers (token_exchange and id_jag modes need them). */
export async function startIdentityFixture(options: { exchanges?: ExchangeKind[] } = {}) {
  // Emails of this fixture's own: test files run side by side on one database, and a verified
  // email links to the same console user.
  const tag = Math.random().toString(36).slice(2, 8);
  // whoami: verifies tokens for itself. strict: expects another audience, so refuses every forwarded token.
  // published: its RFC 9728 metadata names its origin as the resource, and it wants tokens for that.
  const idp = await startTestIdp({
    clients: [CLIENT],
    users: [
      { sub: "alice-sub", email: `alice-${tag}@sso.test`, name: "Alice", password: "alice-pw" },
      { sub: "bob-sub", email: `bob-${tag}@sso.test`, name: "Bob", password: "bob-pw" },
    ],
    resources: [],
    exchanges: options.exchanges,
  });
  const whoami = await startWhoamiServer({ issuer: idp.issuer, staticToken: "static-shared-secret" });
  const strict = await startWhoamiServer({ issuer: idp.issuer, audience: "https://some-other-server.example/mcp" });
  const published = await startWhoamiServer({ issuer: idp.issuer, resourcePath: "/" });
  const publishedResource = `${new URL(published.url).origin}/`;
  idp.allowResources([whoami.url, strict.url, publishedResource]);

  let issuerCalls = 0;
  const inner = http.createServer(
    asyncListener(async (req, res) => {
      const headers = Object.entries(req.headers).filter((entry): entry is [string, string] => typeof entry[1] === "string");
      const response = await issueTokenRoute(new Request(`${innerUrl}${req.url ?? "/"}`, { method: req.method, headers, body: new Uint8Array(await readBody(req)) }));
      res.writeHead(response.status, Object.fromEntries(response.headers)).end(await response.text());
    }),
  );
  const innerUrl = `http://127.0.0.1:${await listenOnFreePort(inner)}`;

  const fixture = {
    idp,
    whoami,
    strict,
    published,
    publishedResource,
    innerUrl,
    issuerCalls: () => issuerCalls,
    /** Counts every call the runtime makes to the issuer, whichever issuer is configured. */
    useCountingIssuer(inner: () => TokenIssuer = () => new BuiltinIssuer(1500)) {
      setTokenIssuerForTests({ issue: (request) => { issuerCalls++; return inner().issue(request); } });
    },
    reset() {
      setEnv({ ENTERPRISE_ENABLED: "true", OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT.client_id, OIDC_CLIENT_SECRET: CLIENT.client_secret, ENTERPRISE_API_URL: undefined, ENTERPRISE_API_SECRET: undefined });
      clearTokenCacheForTests();
      closeWarmSessionsForTests();
      idp.setRefreshBehaviour("normal");
      for (const kind of options.exchanges ?? []) idp.setExchangeRefusal(kind, undefined);
      idp.setIdJagFault(undefined);
      issuerCalls = 0;
      fixture.useCountingIssuer();
      for (const server of [whoami, strict, published]) {
        server.reset();
        server.setRefusing(false);
      }
    },
    /** A workspace member who signed in with SSO at the IdP: their refresh token is stored. */
    async ssoMember(loginHint: "alice-sub" | "bob-sub", workspaceId: string, role: "member" | "admin" = "member"): Promise<Actor> {
      const tokens = await ssoLogin({ issuer: idp.issuer, clientId: CLIENT.client_id, clientSecret: CLIENT.client_secret, redirectUri: CLIENT.redirect_uris[0], loginHint });
      const claims = decodeJwt(tokens.id_token);
      const linked = await linkSsoAccount({ issuer: idp.issuer, subject: String(claims.sub), email: claims.email, emailVerified: claims.email_verified, name: loginHint, refreshToken: tokens.refresh_token, idToken: tokens.id_token });
      if (!("userId" in linked)) throw new Error(`could not link ${loginHint}: ${linked.refused}`);
      const { userId } = linked;
      await db().membership.upsert({ where: { userId_workspaceId: { userId, workspaceId } }, update: { role }, create: { userId, workspaceId, role, createdAt: new Date() } });
      const { token } = await createApiToken({ userId, workspaceId, name: "sso" });
      return { token, userId, workspaceId };
    },
    /** A provider in `admin`'s workspace with a static Authorization and API key, and a harmless header; `settings`: its identity_settings. */
    async provider(admin: Actor, serverUrl: string, identityMode: "idp_token" | "token_exchange" | "id_jag" | "off" = "idp_token", settings?: Record<string, string>) {
      const res = await call(admin, "POST /api/v1/mcp-providers", {
        body: {
          name: `Whoami ${Math.random().toString(36).slice(2, 8)}`,
          server_identifier: `w-${Math.random().toString(36).slice(2, 10)}`,
          server_url: serverUrl,
          headers: { Authorization: STATIC, "X-Api-Key": "static-api-key", "X-Tenant": "acme" },
          identity_mode: identityMode,
          ...(settings ? { identity_settings: settings } : {}),
        },
      });
      expect(res.status, res.text).toBe(201);
      // Discovery after the create runs as the admin; the tests count from when it is done.
      await backgroundTasksSettled();
      for (const server of [whoami, strict, published]) server.reset();
      issuerCalls = 0;
      return res.json as { id: string; name: string; server_identifier: string };
    },
    async stop() {
      setTokenIssuerForTests(undefined);
      await Promise.all([whoami.stop(), strict.stop(), published.stop(), new Promise((resolve) => inner.close(resolve))]);
      await idp.stop();
    },
  };
  return fixture;
}

/** Only the user's own IdP tokens ever reached the server: never a static credential, never nothing. */
export function onlyUserTokens(server: Pick<WhoamiServer, "authorizations" | "requests">, sub: string) {
  expect(server.authorizations.length).toBeGreaterThan(0);
  for (const header of server.authorizations) {
    expect(header).not.toBe(STATIC);
    const token = /^Bearer (.+)$/.exec(header ?? "")?.[1];
    if (!token) throw new Error(`not a bearer token: ${String(header)}`);
    expect(decodeJwt(token).sub).toBe(sub);
  }
  for (const headers of server.requests) expect(headers["x-api-key"]).toBeUndefined();
}

export const callWhoami = (actor: Partial<Actor>, id: string, tool = "whoami") =>
  call(actor, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id, tool }, body: { arguments: {} } });

export { createActor };
