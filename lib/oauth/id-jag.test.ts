// What the console's authorization server takes for an ID-JAG, and what it tells the developer when
// it doesn't: signed locally with a key of "the IdP"; the JWKS is a local key set.
import fc from "fast-check";
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { ID_JAG_TYP, IdJagRefusal, MAX_ASSERTION_LENGTH, verifyIdJag, type IdJagExpectations } from "@/lib/oauth/id-jag";

const ISSUER = "https://idp.example";
const AS = "https://console.example/oidc";
const MCP = "https://console.example/mcp";
const NOW = 1_800_000_000;

let idpKey: CryptoKey;
let expected: IdJagExpectations;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  idpKey = pair.privateKey;
  const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "idp-1", alg: "RS256" }] });
  expected = { issuer: ISSUER, audience: AS, clientId: "agent", isResource: (r) => r === MCP || r === `${MCP}/linear`, signingKeys: () => Promise.resolve(jwks), now: new Date(NOW * 1000) };
});

const claims = (over: JWTPayload = {}): JWTPayload => ({ iss: ISSUER, sub: "u-1", aud: AS, client_id: "agent", jti: "j-1", iat: NOW - 10, exp: NOW + 290, resource: MCP, ...over });

async function sign(payload: JWTPayload, header: { typ?: string; kid?: string; alg?: string } = {}, key: CryptoKey = idpKey) {
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: "idp-1", typ: ID_JAG_TYP, ...header }).sign(key);
}

async function refusal(assertion: string) {
  const error = await verifyIdJag(assertion, expected).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(IdJagRefusal);
  return { error: (error as IdJagRefusal).error, description: (error as IdJagRefusal).description };
}

describe("verifyIdJag", () => {
  it("returns the subject, jti, expiry, resource and scope of a good one", async () => {
    expect(await verifyIdJag(await sign(claims({ scope: "mcp" })), expected)).toEqual({ sub: "u-1", jti: "j-1", exp: NOW + 290, resource: MCP, scope: "mcp" });
    // An aud array naming this server, a one-element resource array and application/ typ prefix are the same thing.
    const variant = await sign(claims({ aud: [AS, "https://other.example"], resource: [`${MCP}/linear`] }), { typ: `application/${ID_JAG_TYP}` });
    expect((await verifyIdJag(variant, expected)).resource).toBe(`${MCP}/linear`);
  });

  it.each<[string, () => Promise<string>, string, RegExp]>([
    ["an ID token (typ JWT)", () => sign(claims(), { typ: "JWT" }), "invalid_grant", /typ is jwt, not oauth-id-jag\+jwt/],
    ["no typ", () => new SignJWT(claims()).setProtectedHeader({ alg: "RS256", kid: "idp-1" }).sign(idpKey), "invalid_grant", /has no typ/],
    ["expired", () => sign(claims({ iat: NOW - 600, exp: NOW - 300 })), "invalid_grant", /expired \(exp\)/],
    ["issued in the future", () => sign(claims({ iat: NOW + 300, exp: NOW + 600 })), "invalid_grant", /in the future \(iat\)/],
    ["living a day", () => sign(claims({ exp: NOW + 86_400 })), "invalid_grant", /lives longer than 3600 seconds/],
    ["another issuer", () => sign(claims({ iss: "https://evil.example" })), "invalid_grant", /issuer \(iss\) is not the console's SSO provider, https:\/\/idp.example/],
    ["another audience", () => sign(claims({ aud: "https://other-as.example" })), "invalid_grant", /audience=https:\/\/console.example\/oidc/],
    ["another client", () => sign(claims({ client_id: "someone-else" })), "invalid_grant", /issued to another client/],
    ["no client_id", () => sign(claims({ client_id: undefined })), "invalid_grant", /client_id claim is missing/],
    ["no jti", () => sign(claims({ jti: undefined })), "invalid_grant", /jti claim is missing/],
    ["no resource", () => sign(claims({ resource: undefined })), "invalid_grant", /names no resource/],
    ["two resources", () => sign(claims({ resource: [MCP, `${MCP}/linear`] })), "invalid_grant", /resource must be one URL/],
    ["another server's resource", () => sign(claims({ resource: "https://other.example/mcp" })), "invalid_target", /not an MCP endpoint of this console/],
    ["a numeric scope", () => sign(claims({ scope: 7 })), "invalid_grant", /scope must be a space-separated string/],
    ["a foreign key under the IdP's kid", async () => sign(claims(), {}, (await generateKeyPair("RS256")).privateKey), "invalid_grant", /signature doesn't verify with the keys of https:\/\/idp.example/],
    ["an unknown kid", () => sign(claims(), { kid: "idp-2" }), "invalid_grant", /no key of https:\/\/idp.example matches/],
    ["a shared-secret algorithm", () => new SignJWT(claims()).setProtectedHeader({ alg: "HS256", typ: ID_JAG_TYP }).sign(new Uint8Array(32)), "invalid_grant", /algorithm the console doesn't accept/],
    ["alg none", () => Promise.resolve(`${Buffer.from(JSON.stringify({ alg: "none", typ: ID_JAG_TYP })).toString("base64url")}.${Buffer.from(JSON.stringify(claims())).toString("base64url")}.`), "invalid_grant", /algorithm the console doesn't accept|not a well-formed/],
    ["not a JWT", () => Promise.resolve("not-a-jwt"), "invalid_grant", /not a signed JWT/],
    ["a JWT with a broken header", () => Promise.resolve("eyJ.eyJ.sig"), "invalid_grant", /not a signed JWT/],
    ["huge", () => Promise.resolve("a".repeat(MAX_ASSERTION_LENGTH + 1)), "invalid_request", /longer than 8192 characters/],
  ])("refuses %s, saying what is wrong", async (_name, make, error, description) => {
    const refused = await refusal(await make());
    expect(refused.error).toBe(error);
    expect(refused.description).toMatch(description);
  });

  it("asks to try again when the identity provider's keys can't be had, without fetching them for a malformed assertion", async () => {
    let fetched = 0;
    const unreachable: IdJagExpectations = { ...expected, signingKeys: () => { fetched++; return Promise.reject(new IdJagRefusal("temporarily_unavailable", "no keys")); } };
    await expect(verifyIdJag("not-a-jwt", unreachable)).rejects.toMatchObject({ error: "invalid_grant" });
    expect(fetched).toBe(0);
    await expect(verifyIdJag(await sign(claims()), unreachable)).rejects.toMatchObject({ error: "temporarily_unavailable" });
    expect(fetched).toBe(1);
  });
});

describe("verifyIdJag, fuzzed", () => {
  const segment = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value === undefined ? null : value)).toString("base64url");
  const jwtShaped = fc
    .tuple(
      fc.oneof(fc.record({ alg: fc.constantFrom("RS256", "none", "HS256", "ES256", "x"), typ: fc.constantFrom(ID_JAG_TYP, "JWT", "", 7), kid: fc.constantFrom("idp-1", "other") }, { requiredKeys: [] }), fc.anything(), fc.string()),
      fc.oneof(fc.record({ iss: fc.constantFrom(ISSUER, 1, ""), aud: fc.constantFrom(AS, [AS], null), exp: fc.oneof(fc.integer(), fc.double(), fc.string()), iat: fc.oneof(fc.integer(), fc.string()), jti: fc.anything(), sub: fc.anything(), client_id: fc.anything(), resource: fc.anything() }, { requiredKeys: [] }), fc.anything()),
      fc.string(),
    )
    .map(([header, payload, signature]) => `${segment(header)}.${segment(payload)}.${segment(signature)}`);

  it("refuses anything malformed with an OAuth error, never a crash", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: "binary" }), jwtShaped), async (assertion) => {
        const outcome = await verifyIdJag(assertion, expected).then(() => "accepted", (e: unknown) => e);
        expect(outcome).toBeInstanceOf(IdJagRefusal);
      }),
      { seed: 20261207, numRuns: 1000 },
    );
  });
});
