// The remote issuer client against a local HTTP server answering each case of the SPEC §5 contract.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IdentityError } from "@/lib/identity/errors";
import { asyncListener, parseJson, readBody } from "@/e2e/support/http";
import { parseIssuedToken, RemoteIssuer } from "@/lib/identity/remote-issuer";
import { captureLogsForTests } from "@/lib/log";

let answer: { status: number; body: string; delayMs?: number; headers?: Record<string, string> } = { status: 200, body: "{}" };
let received: { path?: string; secret?: string; body?: unknown } = {};
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer(asyncListener(async (req, res) => {
    const secret = req.headers["x-inner-api-secret"];
    received = { path: req.url, secret: typeof secret === "string" ? secret : undefined, body: parseJson(await readBody(req)) };
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers }).end(answer.body);
  }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));

const request = { userId: "u1", workspaceId: "w1", audience: "https://mcp.example.com/mcp", mode: "idp_token" };

async function failure(issuer = new RemoteIssuer(base, "s3cret", 300)) {
  const error = await issuer.issue(request).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(IdentityError);
  return (error as IdentityError).failure;
}

describe("RemoteIssuer", () => {
  it("sends the contract's body and shared secret, and returns the token", async () => {
    answer = { status: 200, body: JSON.stringify({ token: "tok", expires_at: 1_900_000_000 }) };
    expect(await new RemoteIssuer(base, "s3cret").issue(request)).toEqual({ token: "tok", expiresAt: 1_900_000_000 });
    expect(received).toEqual({
      path: "/inner/api/mcp/issue-token",
      secret: "s3cret",
      body: { user_id: "u1", workspace_id: "w1", audience: "https://mcp.example.com/mcp", mode: "idp_token" },
    });
  });

  it("passes on what token_exchange and id_jag need, and nothing a mode doesn't use", async () => {
    answer = { status: 200, body: JSON.stringify({ token: "tok", expires_at: 1_900_000_000 }) };
    await new RemoteIssuer(base, "s").issue({ ...request, mode: "token_exchange", resource: request.audience, profile: "entra_obo", scope: "api://server/.default" });
    expect(received.body).toEqual({ user_id: "u1", workspace_id: "w1", audience: request.audience, mode: "token_exchange", resource: request.audience, profile: "entra_obo", scope: "api://server/.default" });
    await new RemoteIssuer(base, "s").issue({ ...request, mode: "id_jag", audience: "https://auth.example.com", resource: request.audience, subjectTokenType: "id_token" });
    expect(received.body).toEqual({ user_id: "u1", workspace_id: "w1", audience: "https://auth.example.com", mode: "id_jag", resource: request.audience, subject_token_type: "id_token" });
  });

  it.each(["exchange_refused", "assertion_refused", "metadata_missing"])("keeps a 403 that names %s as that refusal, with its plain detail", async (code) => {
    answer = { status: 403, body: JSON.stringify({ error: code, detail: "it answered invalid_target" }) };
    const error = (await new RemoteIssuer(base, "s").issue(request).catch((e: unknown) => e)) as IdentityError;
    expect([error.failure, error.message]).toEqual([code, "it answered invalid_target"]);
    answer = { status: 403, body: JSON.stringify({ error: code, detail: "<script>alert(1)</script>" }) };
    expect(((await new RemoteIssuer(base, "s").issue(request).catch((e: unknown) => e)) as IdentityError).message).toBe("the token issuer refused");
  });

  it("accepts a float expires_at", async () => {
    answer = { status: 200, body: JSON.stringify({ token: "tok", expires_at: 1_900_000_000.5 }) };
    expect((await new RemoteIssuer(base, "s").issue(request)).expiresAt).toBe(1_900_000_000.5);
  });

  it.each([
    [428, "no_refresh_token"],
    [401, "refused"],
    [403, "refused"],
    [400, "token_error"],
    [404, "token_error"],
    [429, "rate_limited"],
    [500, "token_error"],
    [502, "token_error"],
    [201, "token_error"],
  ])("maps HTTP %i to %s", async (status, expected) => {
    answer = { status, body: JSON.stringify({ token: "tok", expires_at: 1 }) };
    expect(await failure()).toBe(expected);
  });

  it("maps a 401 that says the shared secret is wrong to a token error (the operator's mistake), and logs it", async () => {
    const lines: string[] = [];
    const restore = captureLogsForTests((line) => lines.push(line));
    try {
      answer = { status: 401, body: JSON.stringify({ error: "invalid_secret" }) };
      expect(await failure()).toBe("token_error");
      expect(lines.join("")).toContain("ENTERPRISE_API_SECRET");
    } finally {
      restore();
    }
  });

  it("passes a 429's Retry-After on", async () => {
    answer = { status: 429, body: JSON.stringify({ error: "rate_limited" }), headers: { "retry-after": "17" } };
    const error = (await new RemoteIssuer(base, "s").issue(request).catch((e: unknown) => e)) as IdentityError;
    expect(error.failure).toBe("rate_limited");
    expect(error.options.retryAfter).toBe(17);
  });

  it.each([
    ["an expires_at in the past", { token: "t", expires_at: Math.floor(Date.now() / 1000) - 10 }],
    ["a zero expires_at", { token: "t", expires_at: 0 }],
    ["a negative expires_at", { token: "t", expires_at: -5 }],
    ["a boolean expires_at", { token: "t", expires_at: true }],
    ["a string expires_at", { token: "t", expires_at: "1900000000" }],
    ["a missing expires_at", { token: "t" }],
    ["a null expires_at", { token: "t", expires_at: null }],
    ["a missing token", { expires_at: 1 }],
    ["an empty token", { token: "", expires_at: 1 }],
    ["a numeric token", { token: 5, expires_at: 1 }],
  ])("treats %s as a token error", async (_label, body) => {
    answer = { status: 200, body: JSON.stringify(body) };
    expect(await failure()).toBe("token_error");
  });

  it("treats a non-JSON body as a token error", async () => {
    answer = { status: 200, body: "<html>oops</html>" };
    expect(await failure()).toBe("token_error");
  });

  it("treats a timeout as a token error", async () => {
    answer = { status: 200, body: JSON.stringify({ token: "t", expires_at: 1 }), delayMs: 1000 };
    const error = (await new RemoteIssuer(base, "s", 100).issue(request).catch((e: unknown) => e)) as IdentityError;
    expect(error.failure).toBe("token_error");
    expect(error.message).toContain("in time");
  });

  it("treats an unreachable issuer as a token error", async () => {
    expect(await failure(new RemoteIssuer("http://127.0.0.1:9", "s", 300))).toBe("token_error");
  });
});

describe("parseIssuedToken", () => {
  it("rejects NaN-like and infinite numbers written as JSON", () => {
    expect(() => parseIssuedToken('{"token":"t","expires_at":1e400}')).toThrow(IdentityError);
  });
});
