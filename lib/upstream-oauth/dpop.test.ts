// DPoP proofs at the HTTP boundary (stubbed servers): what a proof says (RFC 9449 §4.2), the token
// request's proof only where the authorization server offers DPoP, and one more try with the
// server's nonce when it asks (§8, §9) — never more.
import { createHash } from "node:crypto";
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { dpopProof, dpopRequestProof, dpopTokenFetch, newDpopKey, offersDpop } from "@/lib/upstream-oauth/dpop";
import { sendWithProof } from "@/lib/mcp/request-proof";

const AS = "https://as.dpop.test";
const metadata = { issuer: AS, token_endpoint: `${AS}/token`, dpop_signing_alg_values_supported: ["ES256"] };
/** A server that takes DPoP-bound tokens, as its RFC 9728 metadata says. */
const resourceMetadata = { resource: "https://mcp.dpop.test/mcp", authorization_servers: [AS], dpop_signing_alg_values_supported: ["ES256"] };
const discovery = { authorizationServerMetadata: metadata, resourceMetadata };

async function verified(proof: string) {
  const header = decodeProtectedHeader(proof);
  const { payload } = await jwtVerify(proof, await importJWK(header.jwk as JWK, "ES256"), { typ: "dpop+jwt" });
  return { header, payload };
}

describe("a DPoP proof", () => {
  it("is signed by the connection's key, names the request and binds the token, and shows only the public key", async () => {
    const key = await newDpopKey();
    const body = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}';
    const proof = await dpopProof(key, { method: "POST", url: "https://mcp.dpop.test/mcp?tenant=a#x", accessToken: "the-token", body });
    const { header, payload } = await verified(proof);
    expect(header.jwk).not.toHaveProperty("d");
    expect(await calculateJwkThumbprint(header.jwk as JWK)).toBe(await calculateJwkThumbprint({ ...key.jwk, d: undefined }));
    expect(payload).toMatchObject({
      htm: "POST",
      htu: "https://mcp.dpop.test/mcp",
      ath: createHash("sha256").update("the-token").digest("base64url"),
      content_digest: `sha-256=:${createHash("sha256").update(body).digest("base64")}:`,
    });
    expect(Math.abs((payload.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
    const again = decodeJwt(await dpopProof(key, { method: "POST", url: "https://mcp.dpop.test/mcp" }));
    expect(again.jti).not.toBe(payload.jti);
    expect(again).not.toHaveProperty("ath");
    expect(again).not.toHaveProperty("content_digest");
  });

  it("is made only for an authorization server that offers ES256", () => {
    expect(offersDpop(metadata)).toBe(true);
    expect(offersDpop({ ...metadata, dpop_signing_alg_values_supported: ["RS256"] })).toBe(false);
    expect(offersDpop({ issuer: AS })).toBe(false);
  });
});

type Seen = { url: string; dpop: string | null };

function stubbed(answer: (seen: Seen, count: number) => Response) {
  const seen: Seen[] = [];
  const fetchFn: typeof fetch = (input, init) => {
    const request = { url: input instanceof Request ? input.url : input.toString(), dpop: new Headers(init?.headers).get("dpop") };
    seen.push(request);
    return Promise.resolve(answer(request, seen.length));
  };
  return { seen, fetchFn };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("token requests", () => {
  it("carry a proof for the token endpoint made with a key kept in the connection's state, and other requests none", async () => {
    const state: Parameters<typeof dpopTokenFetch>[0] = { discovery };
    const { seen, fetchFn } = stubbed(() => json(200, { access_token: "at", token_type: "DPoP" }));
    const tokenFetch = dpopTokenFetch(state, fetchFn);
    await tokenFetch(new URL(`${AS}/token`), { method: "POST", body: new URLSearchParams({ grant_type: "authorization_code" }) });
    await tokenFetch(`${AS}/register`, { method: "POST", body: "{}" });
    expect(state.dpop?.jwk.d).toBeTruthy();
    expect(seen.map((request) => request.dpop === null)).toEqual([false, true]);
    expect((await verified(seen[0].dpop ?? "")).payload).toMatchObject({ htm: "POST", htu: `${AS}/token` });
  });

  it.each([
    ["the authorization server doesn't offer DPoP", { authorizationServerMetadata: { ...metadata, dpop_signing_alg_values_supported: undefined }, resourceMetadata }],
    ["the MCP server says nothing of DPoP (it may know only Bearer)", { authorizationServerMetadata: metadata, resourceMetadata: { resource: resourceMetadata.resource } }],
  ])("carry none when %s", async (_when, found) => {
    const state = { discovery: found };
    const { seen, fetchFn } = stubbed(() => json(200, { access_token: "at", token_type: "Bearer" }));
    await dpopTokenFetch(state, fetchFn)(`${AS}/token`, { method: "POST" });
    expect(seen[0].dpop).toBeNull();
    expect(state).not.toHaveProperty("dpop");
  });

  it("carry one when the MCP server's challenge was a DPoP one", async () => {
    const state = { dpop_challenge: true, discovery: { authorizationServerMetadata: metadata } };
    const { seen, fetchFn } = stubbed(() => json(200, { access_token: "at", token_type: "DPoP" }));
    await dpopTokenFetch(state, fetchFn)(`${AS}/token`, { method: "POST" });
    expect(seen[0].dpop).not.toBeNull();
  });

  it("are sent once more with the server's nonce after use_dpop_nonce, and later proofs carry it from the start", async () => {
    const state = { discovery };
    const { seen, fetchFn } = stubbed((request) =>
      decodeJwt(request.dpop ?? "").nonce === "n-1" ? json(200, { access_token: "at", token_type: "DPoP" }) : json(400, { error: "use_dpop_nonce" }, { "dpop-nonce": "n-1" }),
    );
    const tokenFetch = dpopTokenFetch(state, fetchFn);
    expect((await tokenFetch(`${AS}/token`, { method: "POST" })).status).toBe(200);
    expect(seen).toHaveLength(2);
    expect((await tokenFetch(`${AS}/token`, { method: "POST" })).status).toBe(200);
    expect(seen).toHaveLength(3);
  });

  it("are not sent a third time when the server keeps asking for a nonce", async () => {
    let n = 0;
    const { seen, fetchFn } = stubbed(() => json(400, { error: "use_dpop_nonce" }, { "dpop-nonce": `n-${++n}` }));
    const answer = await dpopTokenFetch({ discovery: { ...discovery, authorizationServerMetadata: { ...metadata, token_endpoint: "https://other-as.dpop.test/token" } } }, fetchFn)("https://other-as.dpop.test/token", { method: "POST" });
    expect(answer.status).toBe(400);
    expect(seen).toHaveLength(2);
  });
});

describe("requests to the server", () => {
  it("are sent again with the server's nonce after a 401 use_dpop_nonce, and a plain 401 stands", async () => {
    const proof = dpopRequestProof(await newDpopKey(), "the-token");
    const url = "https://nonce-rs.dpop.test/mcp";
    const { seen, fetchFn } = stubbed((request) =>
      decodeJwt(request.dpop ?? "").nonce === "rs-1"
        ? new Response(null, { status: 200 })
        : new Response(null, { status: 401, headers: { "www-authenticate": 'DPoP error="use_dpop_nonce"', "dpop-nonce": "rs-1" } }),
    );
    const send = () => sendWithProof(proof, { method: "POST", url, headers: new Headers() }, (headers) => fetchFn(url, { headers }));
    expect((await send()).status).toBe(200);
    expect(seen).toHaveLength(2);

    const refused = stubbed(() => new Response(null, { status: 401, headers: { "www-authenticate": 'DPoP error="invalid_token"' } }));
    const plain = await sendWithProof(proof, { method: "POST", url: "https://refusing-rs.dpop.test/mcp", headers: new Headers() }, (headers) => refused.fetchFn(url, { headers }));
    expect(plain.status).toBe(401);
    expect(refused.seen).toHaveLength(1);
  });
});
