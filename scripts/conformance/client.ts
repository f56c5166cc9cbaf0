// The console's upstream OAuth client (lib/upstream-oauth/client-provider.ts, on the SDK's auth())
// as the conformance suite's client command: `client.ts <server-url>`, with MCP_CONFORMANCE_SCENARIO
// and MCP_CONFORMANCE_CONTEXT set by the suite. It connects, lists tools and calls one; whenever
// the server asks for authorization (at connect, or a step-up later) it does what the console's
// Connect does — follows the authorization URL (the suite's authorization server answers at once
// with a redirect) and finishes with the code — a few times at most.
import { randomUUID } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { z } from "zod";
import { ConnectionAuth, type AuthState } from "../../lib/upstream-oauth/client-provider";

const REDIRECT_URL = "http://127.0.0.1:3000/oauth/callback";
// A console served over https publishes its document at /oauth/client-metadata.json; the suite's
// authorization server expects the URL its own test clients use.
const CLIENT_METADATA_URL = "https://conformance-test.local/client-metadata.json";
const MAX_AUTHORIZATIONS = 3;

const contextSchema = z.looseObject({ client_id: z.string().optional(), client_secret: z.string().optional() });

async function main() {
  const serverUrl = new URL(process.argv[2] ?? "");
  const context = contextSchema.parse(JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}"));
  const stored: AuthState = {};
  const auth = new ConnectionAuth(stored, {
    redirectUrl: REDIRECT_URL,
    clientName: "MCP Console",
    clientMetadataUrl: CLIENT_METADATA_URL,
    ...(context.client_id ? { configuredClient: { client_id: context.client_id, ...(context.client_secret ? { client_secret: context.client_secret } : {}) } } : {}),
    state: randomUUID(),
    onAuthorization: "capture",
  });

  let transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: auth });
  let client = new Client({ name: "mcp-console", version: "1.0.0" });
  let authorizations = 0;

  /** The user's part: at the authorization URL, and back with the code. */
  async function authorize() {
    if (++authorizations > MAX_AUTHORIZATIONS) throw new Error("the server keeps asking for authorization");
    const url = auth.authorizationUrl;
    if (!url) throw new Error("the server refused, and no authorization was asked for");
    auth.authorizationUrl = undefined;
    const answer = await fetch(url, { redirect: "manual" });
    const back = new URL(answer.headers.get("location") ?? "", url);
    const code = back.searchParams.get("code");
    if (!code) throw new Error(`the authorization server answered ${answer.status} without a code`);
    await transport.finishAuth(code);
  }

  async function authorized<T>(run: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await run();
      } catch (error) {
        if (!(error instanceof UnauthorizedError)) throw error;
        await authorize();
      }
    }
  }

  await authorized(async () => {
    // A refused connect leaves its transport started: connect again on a fresh one.
    if (authorizations > 0) {
      transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: auth });
      client = new Client({ name: "mcp-console", version: "1.0.0" });
    }
    await client.connect(transport);
  });
  const { tools } = await authorized(() => client.listTools());
  const first = tools.at(0);
  if (first) await authorized(() => client.callTool({ name: first.name, arguments: {} }));
  await transport.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
