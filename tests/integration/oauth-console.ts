// The console as an OAuth client sees it at ORIGIN — its authorization server on a real socket,
// the RFC 9728 documents and the gateway — and what a user's browser does at the consent screen.
// Shared by the OAuth tests and the relay's (an access token's revocation ends its GET stream).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect } from "vitest";
import { membershipCaller } from "@/lib/auth/request-auth";
import { securityHeaders } from "@/lib/edge/security-headers.mjs";
import { serveGateway } from "@/lib/gateway/http";
import { decideAuthorization } from "@/lib/oauth/interactions";
import { resourceMetadataResponse } from "@/lib/oauth/resource-metadata";
import { handleOAuthHttp } from "@/lib/oauth/server";
import { MemoryOAuthClient } from "../../e2e/support/oauth-client";
import { ORIGIN, type Actor } from "./helpers";

export const REDIRECT = "http://127.0.0.1:9/callback";
let oauthHttp: http.Server;

/** The authorization server on a socket of its own, as server.mjs mounts it. */
export async function startOAuthHttp() {
  oauthHttp = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const path = url.startsWith("/oidc") ? url.slice("/oidc".length) || "/" : url.replace("/oidc", "").replace("oauth-authorization-server", "openid-configuration");
    // What server.mjs puts on every API answer first.
    for (const [name, value] of Object.entries(securityHeaders({ kind: "api" }))) res.setHeader(name, value);
    void handleOAuthHttp(req, res, path);
  });
  await new Promise<void>((resolve) => oauthHttp.listen(0, "127.0.0.1", resolve));
}

export async function stopOAuthHttp() {
  await new Promise((resolve) => oauthHttp.close(resolve));
}

/**
 * The console as a client sees it at ORIGIN: the authorization server (a node handler, so it runs
 * on a real socket, as server.mjs mounts it), the RFC 9728 documents and the gateway's routes.
 */
export function consoleFetch(cookies?: Map<string, string>): typeof fetch {
  return async (input, init) => {
    const request = new Request(input instanceof Request ? input : String(input), init);
    const url = new URL(request.url);
    if (url.origin !== ORIGIN) throw new Error(`unexpected request to ${url.href}`);
    let response: Response;
    if (url.pathname.startsWith("/oidc") || url.pathname.startsWith("/.well-known/oauth-authorization-server")) {
      const { port } = oauthHttp.address() as AddressInfo;
      const headers = new Headers(request.headers);
      if (cookies) headers.set("cookie", [...cookies].map(([name, value]) => `${name}=${value}`).join("; "));
      response = await fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, {
        method: request.method,
        headers,
        body: request.method === "GET" || request.method === "HEAD" ? undefined : await request.text(),
        redirect: "manual",
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair = ""] = line.split(";");
        cookies?.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1));
      }
    } else if (url.pathname.startsWith("/.well-known/oauth-protected-resource/mcp")) {
      const [, , , , server] = url.pathname.split("/");
      response = resourceMetadataResponse(server);
    } else if (url.pathname.startsWith("/mcp")) {
      const [, , server] = url.pathname.split("/");
      response = await serveGateway(request, server ? { serverIdentifier: server } : {});
    } else {
      response = new Response(null, { status: 404 });
    }
    return response;
  };
}

/** What the user's browser does: follow the authorization URL to the consent screen, answer, and come back with the code. */
async function authorizeInBrowser(authorizationUrl: URL, as: Actor, allow = true): Promise<URLSearchParams> {
  const cookies = new Map<string, string>();
  const browser = consoleFetch(cookies);
  const toConsent = await browser(authorizationUrl);
  const consent = new URL(toConsent.headers.get("location") ?? "", ORIGIN);
  expect(consent.pathname).toMatch(/^\/oauth\/authorize\/[\w-]+$/);
  const uid = consent.pathname.split("/").pop() ?? "";
  const cookieHeader = [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  const caller = await membershipCaller(as.userId, as.workspaceId, "session", false);
  const resume = await decideAuthorization(uid, cookieHeader, caller, allow);
  expect(resume).toBeTruthy();
  const back = await browser(resume ?? "");
  const location = back.headers.get("location") ?? "";
  expect(location.startsWith(REDIRECT)).toBe(true);
  return new URL(location).searchParams;
}

export async function connectWithOAuth(as: Actor, path: string, name = "Integration agent") {
  const auth = new MemoryOAuthClient(REDIRECT, name);
  const endpoint = new URL(path, ORIGIN);
  const fetchFn = consoleFetch();
  const first = new Client({ name: "oauth-it", version: "1.0.0" });
  await expect(first.connect(new StreamableHTTPClientTransport(endpoint, { authProvider: auth, fetch: fetchFn }))).rejects.toBeInstanceOf(UnauthorizedError);
  const answer = await authorizeInBrowser(auth.authorizationUrl as URL, as);
  const transport = new StreamableHTTPClientTransport(endpoint, { authProvider: auth, fetch: fetchFn });
  await transport.finishAuth(answer.get("code") ?? "");
  const client = new Client({ name: "oauth-it", version: "1.0.0" });
  await client.connect(transport);
  return { client, auth };
}
