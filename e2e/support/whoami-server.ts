// A test MCP server on the SDK (Streamable HTTP). It accepts a bearer JWT from the test IdP whose
// audience is its own URL (or, optionally, one static shared token), exposes `whoami` returning
// the token's subject, and records the Authorization header of every request it receives.
import http from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createRemoteJWKSet, jwtVerify } from "jose";

export type WhoamiServer = {
  url: string;
  /** Every Authorization header received, in order (undefined when none was sent). */
  authorizations: (string | undefined)[];
  /** Every request's headers, in order. */
  requests: http.IncomingHttpHeaders[];
  /** The JSON-RPC methods of the POSTs received, in order ("initialize", "tools/call", …). */
  methods: string[];
  reset: () => void;
  stop: () => Promise<void>;
};

type Identity = { sub: string; aud: string | string[] | undefined; iss: string | undefined; via: "jwt" | "static" };

export async function startWhoamiServer(options: {
  port: number;
  issuer: string;
  /** The audience tokens must carry; defaults to this server's own URL. */
  audience?: string;
  /** A shared token accepted as the identity "static" (to prove when static credentials are used). */
  staticToken?: string;
}): Promise<WhoamiServer> {
  const url = `http://127.0.0.1:${options.port}/mcp`;
  const audience = options.audience ?? url;
  const jwks = createRemoteJWKSet(new URL(`${options.issuer}/jwks`));
  const authorizations: (string | undefined)[] = [];
  const requests: http.IncomingHttpHeaders[] = [];
  const methods: string[] = [];

  async function authenticate(header: string | undefined): Promise<Identity | undefined> {
    const token = /^Bearer (.+)$/.exec(header ?? "")?.[1];
    if (!token) return undefined;
    if (options.staticToken && token === options.staticToken) return { sub: "static", aud: undefined, iss: undefined, via: "static" };
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: options.issuer, audience });
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
      async () => ({ content: [{ type: "text", text: identity.sub }], structuredContent: { ...identity } }),
    );
    return server;
  }

  const httpServer = http.createServer(async (req, res) => {
    authorizations.push(req.headers.authorization);
    requests.push(req.headers);
    if (!req.url?.startsWith("/mcp")) return void res.writeHead(404).end();
    const identity = await authenticate(req.headers.authorization);
    if (!identity) {
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": `Bearer resource_metadata="${url}"` });
      return void res.end(JSON.stringify({ error: "invalid_token" }));
    }
    if (req.method !== "POST") return void res.writeHead(405, { allow: "POST" }).end();
    // Stateless: a fresh server and transport per request.
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    const server = mcpServer(identity);
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
    for (const message of Array.isArray(body) ? body : [body]) if (message?.method) methods.push(message.method);
    await transport.handleRequest(req, res, body);
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, "127.0.0.1", () => resolve());
  });

  return {
    url,
    authorizations,
    requests,
    methods,
    reset: () => {
      authorizations.splice(0);
      requests.splice(0);
      methods.splice(0);
    },
    stop: () => new Promise((resolve) => {
      httpServer.closeAllConnections();
      httpServer.close(() => resolve());
    }),
  };
}
