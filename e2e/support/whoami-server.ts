// A test MCP server on the SDK (Streamable HTTP). It accepts only a bearer JWT from one issuer (the
// test IdP, or its own authorization server) whose audience is its resource (its own URL unless it
// publishes another), or optionally one static shared token; exposes `whoami` returning the token's
// subject; publishes RFC 9728 metadata naming that issuer as its authorization server; and records
// the Authorization header of every MCP request it receives and the claims of every accepted token.
import http from "node:http";
import { asyncListener, jsonRpcMethods, parseJson, readBody } from "./http";
import { listenOn } from "./ports";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";

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

  async function authenticate(header: string | undefined): Promise<Identity | undefined> {
    const token = /^Bearer (.+)$/.exec(header ?? "")?.[1];
    if (!token) return undefined;
    if (options.staticToken && token === options.staticToken) return { sub: "static", aud: undefined, iss: undefined, via: "static" };
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: options.issuer, audience });
      claims.push(payload);
      return { sub: String(payload.sub), aud: payload.aud, iss: payload.iss, via: "jwt" };
    } catch {
      return undefined;
    }
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
      return void res.end(JSON.stringify({ resource, authorization_servers: [options.issuer], bearer_methods_supported: ["header"], ...(options.scopesSupported ? { scopes_supported: options.scopesSupported } : {}) }));
    }
    authorizations.push(req.headers.authorization);
    requests.push(req.headers);
    urls.push(req.url ?? "");
    if (!req.url?.startsWith("/mcp")) return void res.writeHead(404).end();
    const identity = refusing ? undefined : await authenticate(req.headers.authorization);
    if (!identity) {
      const metadataUrl = `${new URL(url).origin}/.well-known/oauth-protected-resource/mcp`;
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": `Bearer resource_metadata="${metadataUrl}"` });
      return void res.end(JSON.stringify({ error: "invalid_token" }));
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
    const body = parseJson(await readBody(req));
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
    },
    stop: () => new Promise((resolve) => {
      httpServer.closeAllConnections();
      httpServer.close(() => { resolve(); });
    }),
  };
}
