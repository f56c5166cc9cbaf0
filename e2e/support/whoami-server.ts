// A test MCP server on the SDK (Streamable HTTP). It accepts only a bearer JWT from one issuer (the
// test IdP, or its own authorization server) whose audience is its resource (its own URL unless it
// publishes another), or optionally one static shared token; exposes `whoami` returning the token's
// subject; publishes RFC 9728 metadata naming that issuer as its authorization server; and records
// the Authorization header of every MCP request it receives and the claims of every accepted token.
// With `dpop`, it takes only DPoP-bound tokens, each request with a proof it checks (dpop-check.ts),
// optionally with its nonce; a token bound to a key is never taken as a plain Bearer token.
import http from "node:http";
import { asyncListener, jsonRpcMethods, parseJson, readBody } from "./http";
import { listenOn } from "./ports";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { randomUUID } from "node:crypto";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { checkDpop } from "./dpop-check";

export type WhoamiServer = {
  url: string;
  /** Every Authorization header received, in order (undefined when none was sent). */
  authorizations: (string | undefined)[];
  /** Every request's headers, in order. */
  requests: http.IncomingHttpHeaders[];
  /** The verified claims of every MCP request's accepted JWT, in order (static-token requests add none). */
  claims: JWTPayload[];
  /** Every MCP request's path and query, in order. */
  urls: string[];
  /** The JSON-RPC methods of the POSTs received, in order ("initialize", "tools/call", …). */
  methods: string[];
  /** RFC 9728 metadata requests received. */
  metadataRequests: () => number;
  /** With `dpop`: the claims of every proof accepted, in order. */
  proofs: JWTPayload[];
  /** With `dpop`: why each refused proof was refused, in order ("use_dpop_nonce" when only the nonce was missing). */
  proofRefusals: string[];
  /** With `dpop.nonce`: a new nonce from now on (proofs with the old one are asked to use it). */
  rotateNonce: () => void;
  /** While on, every MCP request is refused with 401, whatever it carries. */
  setRefusing: (refusing: boolean) => void;
  /** While set, every authenticated MCP request is refused with a step-up challenge (403 insufficient_scope) for this scope. */
  setStepUp: (scope: string | undefined) => void;
  /** While on, every authenticated MCP request is refused with a bare 403 (no challenge). */
  setForbidden: (forbidden: boolean) => void;
  reset: () => void;
  stop: () => Promise<void>;
};

type Identity = { sub: string; aud: string | string[] | undefined; iss: string | undefined; via: "jwt" | "static" };

export async function startWhoamiServer(options: {
  port?: number;
  /** The only issuer whose tokens are accepted (JWKS at `<issuer>/jwks`), named as the authorization server in its metadata. */
  issuer: string;
  /** The audience tokens must carry; defaults to the published resource. */
  audience?: string;
  /** The `resource` its RFC 9728 metadata names, as a path on its origin; defaults to its own URL. */
  resourcePath?: string;
  /** A shared token accepted as the identity "static" (to prove when static credentials are used). */
  staticToken?: string;
  /** The scopes its RFC 9728 metadata lists (what an OAuth client asks for when the 401 names none). */
  scopesSupported?: string[];
  /** Only DPoP-bound tokens with a valid proof (RFC 9449), and, with `nonce`, proofs carrying this server's nonce (§9). */
  dpop?: { nonce?: boolean };
}): Promise<WhoamiServer> {
  let url = "";
  let resource = "";
  let audience = "";
  let metadataRequests = 0;
  let refusing = false;
  let stepUp: string | undefined;
  let forbidden = false;
  const jwks = createRemoteJWKSet(new URL(`${options.issuer}/jwks`));
  const authorizations: (string | undefined)[] = [];
  const requests: http.IncomingHttpHeaders[] = [];
  const urls: string[] = [];
  const methods: string[] = [];
  const claims: JWTPayload[] = [];
  const proofs: JWTPayload[] = [];
  const proofRefusals: string[] = [];
  const seenJtis = new Set<string>();
  let nonce = options.dpop?.nonce ? `whoami-nonce-${randomUUID()}` : undefined;

  /** The identity a request proves, or, with DPoP, why its proof was refused. */
  async function authenticate(req: http.IncomingMessage, body: string): Promise<Identity | { refused: string } | undefined> {
    const [, scheme, token] = /^(Bearer|DPoP) (.+)$/.exec(req.headers.authorization ?? "") ?? [];
    if (!token || (scheme === "DPoP") !== Boolean(options.dpop)) return undefined;
    if (options.staticToken && token === options.staticToken) return { sub: "static", aud: undefined, iss: undefined, via: "static" };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer: options.issuer, audience }));
    } catch {
      return undefined;
    }
    const jkt = (payload.cnf as { jkt?: unknown } | undefined)?.jkt;
    // RFC 9449 §7.2: a token bound to a key is no bearer token.
    if (!options.dpop && jkt !== undefined) return undefined;
    if (options.dpop) {
      const verdict = await checkDpop({ proof: req.headers.dpop, method: req.method ?? "", url: `${new URL(url).origin}${req.url ?? ""}`, accessToken: token, jkt, body, nonce, seen: seenJtis });
      if (!verdict.ok) {
        proofRefusals.push(verdict.error === "use_dpop_nonce" ? verdict.error : verdict.why);
        return { refused: verdict.error };
      }
      proofs.push(verdict.claims);
    }
    claims.push(payload);
    return { sub: String(payload.sub), aud: payload.aud, iss: payload.iss, via: "jwt" };
  }

  /** The 401's challenge: Bearer, or DPoP (with the error and the nonce when a proof was refused). */
  function challenge(metadataUrl: string, refused: string | undefined): Record<string, string> {
    if (!options.dpop) return { "www-authenticate": `Bearer resource_metadata="${metadataUrl}"` };
    const error = refused ? `error="${refused}", ` : "";
    return { "www-authenticate": `DPoP ${error}algs="ES256", resource_metadata="${metadataUrl}"`, ...(nonce ? { "dpop-nonce": nonce } : {}) };
  }

  function mcpServer(identity: Identity) {
    const server = new McpServer({ name: "whoami", version: "1.0.0" });
    server.registerTool(
      "whoami",
      { title: "Who am I?", description: "Returns the subject of the token this call carried.", inputSchema: {} },
      () => ({ content: [{ type: "text", text: identity.sub }], structuredContent: { ...identity } }),
    );
    return server;
  }

  const httpServer = http.createServer(asyncListener(async (req, res) => {
    if (req.url?.startsWith("/.well-known/oauth-protected-resource")) {
      metadataRequests++;
      res.writeHead(200, { "content-type": "application/json" });
      const dpop = options.dpop ? { dpop_signing_alg_values_supported: ["ES256"], dpop_bound_access_tokens_required: true } : {};
      return void res.end(JSON.stringify({ resource, authorization_servers: [options.issuer], bearer_methods_supported: ["header"], ...dpop, ...(options.scopesSupported ? { scopes_supported: options.scopesSupported } : {}) }));
    }
    authorizations.push(req.headers.authorization);
    requests.push(req.headers);
    urls.push(req.url ?? "");
    if (!req.url?.startsWith("/mcp")) return void res.writeHead(404).end();
    const raw = await readBody(req);
    const identity = refusing ? undefined : await authenticate(req, raw.toString("utf8"));
    if (!identity || "refused" in identity) {
      const metadataUrl = `${new URL(url).origin}/.well-known/oauth-protected-resource/mcp`;
      res.writeHead(401, { "content-type": "application/json", ...challenge(metadataUrl, identity?.refused) });
      return void res.end(JSON.stringify({ error: identity?.refused ?? "invalid_token" }));
    }
    if (stepUp) {
      res.writeHead(403, { "content-type": "application/json", "www-authenticate": `Bearer error="insufficient_scope", scope="${stepUp}"` });
      return void res.end(JSON.stringify({ error: "insufficient_scope" }));
    }
    if (forbidden) return void res.writeHead(403, { "content-type": "application/json" }).end(JSON.stringify({ error: "forbidden" }));
    if (req.method !== "POST") return void res.writeHead(405, { allow: "POST" }).end();
    // Stateless: a fresh server and transport per request.
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    const server = mcpServer(identity);
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    const body = parseJson(raw);
    methods.push(...jsonRpcMethods(body));
    await transport.handleRequest(req, res, body);
  }));

  const port = await listenOn(httpServer, options.port);
  url = `http://127.0.0.1:${port}/mcp`;
  resource = options.resourcePath ? new URL(options.resourcePath, url).href : url;
  audience = options.audience ?? resource;

  return {
    url,
    authorizations,
    requests,
    urls,
    methods,
    claims,
    metadataRequests: () => metadataRequests,
    proofs,
    proofRefusals,
    rotateNonce: () => {
      if (nonce) nonce = `whoami-nonce-${randomUUID()}`;
    },
    setRefusing: (next) => {
      refusing = next;
    },
    setStepUp: (scope) => {
      stepUp = scope;
    },
    setForbidden: (next) => {
      forbidden = next;
    },
    reset: () => {
      authorizations.splice(0);
      requests.splice(0);
      urls.splice(0);
      methods.splice(0);
      claims.splice(0);
      proofs.splice(0);
      proofRefusals.splice(0);
    },
    stop: () => new Promise((resolve) => {
      httpServer.closeAllConnections();
      httpServer.close(() => { resolve(); });
    }),
  };
}
