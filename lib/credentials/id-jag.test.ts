// id_jag's second half at the HTTP boundary (stubbed): finding the server's authorization server
// (RFC 9728, then RFC 8414) and redeeming the ID-JAG there (RFC 7523) — each failure fails closed
// as the IdentityError whose message tells the user what is wrong.
import { describe, expect, it } from "vitest";
import { authorizationServerOf, redeemIdJag } from "@/lib/credentials/id-jag";

const SERVER = "https://mcp.example.com/mcp";
const AS = "https://auth.example.com";
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

type Sent = { url: string; method: string; headers: Headers; body: string };

function stub(answer: (url: string) => Response | Promise<Response>) {
  const sent: Sent[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    sent.push({ url, method: init?.method ?? "GET", headers: new Headers(init?.headers), body: init?.body instanceof URLSearchParams ? init.body.toString() : typeof init?.body === "string" ? init.body : "" });
    return answer(url);
  };
  return { fetchFn, sent };
}

const resourceMetadata = { resource: SERVER, authorization_servers: [AS] };
const asMetadata = { issuer: AS, authorization_endpoint: `${AS}/auth`, token_endpoint: `${AS}/token`, response_types_supported: ["code"], grant_types_supported: ["authorization_code", "urn:ietf:params:oauth:grant-type:jwt-bearer"] };

function servers(overrides: { resource?: Response; as?: Response } = {}) {
  return stub((url) => {
    if (url.includes("oauth-protected-resource")) return overrides.resource ?? json(200, resourceMetadata);
    if (url.startsWith(AS) && url.includes("/.well-known/")) return overrides.as ?? json(200, asMetadata);
    return new Response(null, { status: 404 });
  });
}

async function failureOf(promise: Promise<unknown>) {
  const error = (await promise.catch((e: unknown) => e)) as { failure?: string; message?: string };
  return { failure: error.failure, message: error.message };
}

describe("authorizationServerOf", () => {
  it("finds the issuer and token endpoint the server's metadata points to", async () => {
    const { fetchFn } = servers();
    expect(await authorizationServerOf(`${SERVER}?api_key=secret`, fetchFn)).toEqual({ issuer: AS, tokenEndpoint: `${AS}/token` });
  });

  it("never sends the server URL's query string with the metadata requests", async () => {
    const { fetchFn, sent } = servers();
    await authorizationServerOf(`${SERVER}?api_key=secret`, fetchFn);
    expect(sent.some((request) => request.url.includes("secret"))).toBe(false);
  });

  it.each([
    ["no protected-resource metadata", { resource: new Response(null, { status: 404 }) }, /protected-resource metadata/],
    ["metadata naming no authorization server", { resource: json(200, { resource: SERVER }) }, /names no authorization server/],
    ["an authorization server without metadata", { as: new Response(null, { status: 404 }) }, /publishes no metadata/],
    ["an authorization server that doesn't take jwt-bearer grants", { as: json(200, { ...asMetadata, grant_types_supported: ["authorization_code"] }) }, /jwt-bearer/],
    // A mix-up: the ID-JAG (made for the issuer named) and the client's secret would go to whoever published this.
    ["authorization server metadata that names another issuer", { as: json(200, { ...asMetadata, issuer: "https://login.victim.example", token_endpoint: "https://evil.example/token" }) }, /names another issuer/],
    ["protected-resource metadata for another resource", { resource: json(200, { ...resourceMetadata, resource: "https://other.example.com/mcp" }) }, /another resource/],
  ])("fails closed as metadata_missing on %s", async (_what, overrides, message) => {
    const { fetchFn } = servers(overrides);
    const failed = await failureOf(authorizationServerOf(SERVER, fetchFn));
    expect(failed.failure).toBe("metadata_missing");
    expect(failed.message).toMatch(message);
  });

  it("treats an unreachable server as a token error, not as missing metadata", async () => {
    const { fetchFn } = stub(() => Promise.reject(new TypeError("fetch failed")));
    expect((await failureOf(authorizationServerOf(SERVER, fetchFn))).failure).toBe("token_error");
  });
});

describe("redeemIdJag", () => {
  const server = { issuer: AS, tokenEndpoint: `${AS}/token` };

  it("sends a jwt-bearer grant with the ID-JAG as the assertion, the client authenticated with HTTP Basic", async () => {
    const { fetchFn, sent } = stub(() => json(200, { access_token: "at-for-the-server", token_type: "Bearer", expires_in: 600 }));
    const issued = await redeemIdJag(server, { clientId: "console", clientSecret: "s3cret" }, "the-id-jag", fetchFn);
    expect(issued.token).toBe("at-for-the-server");
    expect(issued.expiresAt).toBeGreaterThan(Date.now() / 1000 + 590);
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toBe(`${AS}/token`);
    expect(sent[0].method).toBe("POST");
    expect(sent[0].headers.get("authorization")).toBe(`Basic ${Buffer.from("console:s3cret").toString("base64")}`);
    expect(Object.fromEntries(new URLSearchParams(sent[0].body))).toEqual({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: "the-id-jag" });
  });

  it("names a public client in the form", async () => {
    const { fetchFn, sent } = stub(() => json(200, { access_token: "at", token_type: "bearer", expires_in: 60 }));
    await redeemIdJag(server, { clientId: "public-console" }, "the-id-jag", fetchFn);
    expect(sent[0].headers.get("authorization")).toBeNull();
    expect(new URLSearchParams(sent[0].body).get("client_id")).toBe("public-console");
  });

  it.each([
    ["a refused assertion", json(400, { error: "invalid_grant", error_description: "<b>replayed</b>" }), "assertion_refused", "it answered invalid_grant"],
    ["a refused client", json(401, { error: "invalid_client" }), "assertion_refused", "it answered invalid_client"],
    ["a server error", json(503, { error: "temporarily_unavailable" }), "token_error", undefined],
    ["a malformed answer", json(200, { token_type: "Bearer" }), "token_error", undefined],
    ["a DPoP-bound token", json(200, { access_token: "at", token_type: "DPoP", expires_in: 60 }), "token_error", undefined],
  ])("fails closed on %s", async (_what, answer, failure, message) => {
    const { fetchFn } = stub(() => answer);
    const failed = await failureOf(redeemIdJag(server, { clientId: "console", clientSecret: "s3cret" }, "the-id-jag", fetchFn));
    expect(failed.failure).toBe(failure);
    if (message) expect(failed.message).toBe(message);
  });
});
