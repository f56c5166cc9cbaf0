// What the console reads of its identity provider's answers: bounded, whatever the provider sends.
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_TOKEN_CHARS, tokenGrant, type IdpClient } from "@/lib/identity/idp";

const client: IdpClient = { issuer: `https://idp-${Math.random().toString(36).slice(2)}.example`, clientId: "console", clientSecret: "secret" };
const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });

function provider(tokenAnswer: () => Response) {
  vi.stubGlobal("fetch", (input: RequestInfo | URL) => {
    const url = String(input instanceof Request ? input.url : input);
    return Promise.resolve(url.endsWith("/.well-known/openid-configuration") ? json({ token_endpoint: `${client.issuer}/token` }) : tokenAnswer());
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("a token answer", () => {
  it("is taken when it is an ordinary one", async () => {
    provider(() => json({ access_token: "a.b.c", expires_in: 60, id_token: "x.y.z" }));
    expect(await tokenGrant(client, { grant_type: "refresh_token" })).toMatchObject({ ok: true, accessToken: "a.b.c", idToken: "x.y.z" });
  });

  it.each([
    ["an access token longer than any real one", { access_token: "a".repeat(MAX_TOKEN_CHARS + 1), expires_in: 60 }],
    ["an ID token longer than any real one (it would be stored)", { access_token: "a.b.c", expires_in: 60, id_token: "i".repeat(MAX_TOKEN_CHARS + 1) }],
    ["a body larger than the console reads", { access_token: "a.b.c", expires_in: 60, padding: "p".repeat(128 * 1024) }],
  ])("is refused as malformed when it holds %s", async (_what, body) => {
    provider(() => json(body));
    const refused = await tokenGrant(client, { grant_type: "refresh_token" }).then(() => undefined, (error: unknown) => error);
    expect(refused).toMatchObject({ failure: "token_error" });
    expect(refused instanceof Error ? refused.message : "").toMatch(/malformed/);
  });
});
