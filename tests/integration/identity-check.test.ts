// "Check as me" (POST /api/v1/mcp-providers/{id}/identity-check) against real parts: oidc-provider
// as the SSO provider with RFC 8693 token exchange, and an MCP server that accepts only tokens for
// itself and records every request. The answer names the strategy and audience and shows the
// claims of the very token the next call carries — never the token — or the words that call fails
// with; no MCP request reaches the server; another member only for owners and admins.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { aNumber, containing } from "@/tests/support/matchers";
import { call, createActor, type Actor } from "./helpers";
import { callWhoami, setEnv, STATIC, startIdentityFixture, type IdentityFixture } from "./identity-fixture";

let f: IdentityFixture;
let admin: Actor & { email: string };
let alice: Actor;
let provider: { id: string; server_identifier: string };

beforeAll(async () => {
  f = await startIdentityFixture({ exchanges: ["token_exchange"] });
});

afterAll(async () => {
  await f.stop();
});

beforeEach(async () => {
  f.reset();
  admin = await createActor("admin");
  alice = await f.ssoMember("alice-sub", admin.workspaceId);
  provider = await f.provider(admin, f.whoami.url, "token_exchange");
});

const check = (actor: Partial<Actor>, id: string, body: Record<string, unknown> = {}) => call(actor, "POST /api/v1/mcp-providers/{id}/identity-check", { params: { id }, body });
const exchanges = () => f.idp.exchanges().filter((exchange) => exchange.kind === "token_exchange");

describe("POST /api/v1/mcp-providers/{id}/identity-check", () => {
  it("shows the strategy, the audience and the claims of the token the next call carries — never the token — and no request reaches the server", async () => {
    const before = exchanges().length;
    const res = await check(alice, provider.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      user: { id: alice.userId },
      strategy: "token_exchange",
      audience: f.whoami.url,
      needs: containing("RFC 8693"),
      claims: { iss: f.idp.issuer, sub: "alice-sub", aud: f.whoami.url, exp: aNumber() },
      error: null,
    });
    // Minted at the IdP (what the next call would do); no MCP request reached the server (it may read the metadata the server publishes).
    expect(exchanges().length - before).toBe(1);
    expect(f.whoami.requests).toEqual([]);

    // The next call carries exactly that token: no second exchange, and the server saw the claims shown.
    expect((await callWhoami(alice, provider.id)).json).toMatchObject({ is_error: false, content: [{ text: "alice-sub" }] });
    expect(exchanges().length - before).toBe(1);
    const sent = /^Bearer (.+)$/.exec(f.whoami.authorizations[0] ?? "")?.[1] ?? "";
    expect(res.json.claims).toMatchObject({ sub: decodeJwt(sent).sub, exp: decodeJwt(sent).exp, aud: decodeJwt(sent).aud });
    const [, payload, signature] = sent.split(".");
    for (const secret of [sent, payload, signature, STATIC, "static-api-key"]) expect(res.text).not.toContain(secret);
  });

  it("a member without an SSO session gets the reason, in the words the call fails with, and nothing is asked of anyone", async () => {
    const local = await createActor("member", admin.workspaceId);
    const before = exchanges().length;
    const res = await check(local, provider.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ strategy: "token_exchange", audience: f.whoami.url, claims: null, error: { code: "identity_required" } });
    const called = await callWhoami(local, provider.id);
    expect(called.json.code).toBe("identity_required");
    expect(res.json.error?.message).toBe(called.json.detail);
    expect(exchanges().length).toBe(before);
    expect(f.whoami.requests).toEqual([]);
  });

  it("an exchange the IdP refuses: the reason the call fails with, and the server is never reached", async () => {
    f.idp.setExchangeRefusal("token_exchange", "access_denied");
    const res = await check(alice, provider.id);
    expect(res.json).toMatchObject({ strategy: "token_exchange", claims: null, error: { code: "identity_refused" } });
    const called = await callWhoami(alice, provider.id);
    expect([res.json.error?.code, res.json.error?.message]).toEqual([called.json.code, called.json.detail]);
    expect(f.whoami.requests).toEqual([]);
  });

  it("members check only as themselves; owners and admins as any member of the workspace, and no one outside it", async () => {
    const bob = await f.ssoMember("bob-sub", admin.workspaceId);
    const forbidden = await check(alice, provider.id, { user_id: bob.userId });
    expect([forbidden.status, forbidden.json.code]).toEqual([403, "forbidden"]);
    expect(await check(alice, provider.id, { user_id: alice.userId })).toMatchObject({ status: 200, json: { claims: { sub: "alice-sub" } } });

    const asAlice = await check(admin, provider.id, { user_id: alice.userId });
    expect(asAlice.status, asAlice.text).toBe(200);
    expect(asAlice.json).toMatchObject({ user: { id: alice.userId, email: containing("alice-") }, claims: { sub: "alice-sub", aud: f.whoami.url }, error: null });
    // The admin themself has no SSO session: their own check says so.
    expect((await check(admin, provider.id)).json).toMatchObject({ user: { id: admin.userId, email: admin.email }, error: { code: "identity_required" } });

    const stranger = await createActor("member");
    expect((await check(admin, provider.id, { user_id: stranger.userId })).json.code).toBe("not_found");
    expect((await check(stranger, provider.id)).json.code).toBe("not_found");
    expect((await check(admin, provider.id, { user_id: alice.userId, token: "x" })).json.code).toBe("validation_failed");
    expect(f.whoami.requests).toEqual([]);
  });

  it("without enterprise the mode is a no-op: the provider's own headers decide, and none of them is shown", async () => {
    setEnv({ ENTERPRISE_ENABLED: "false" });
    const before = exchanges().length;
    const res = await check(alice, provider.id);
    expect(res.json).toMatchObject({ strategy: "static_headers", audience: null, claims: null, error: null });
    expect(res.text).not.toContain("static-shared-secret");
    expect(exchanges().length).toBe(before);
    expect(f.whoami.requests).toEqual([]);
  });
});
