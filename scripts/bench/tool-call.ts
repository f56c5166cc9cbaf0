// Section b of the bench: a tool call through the console's REST API with identity forwarding
// (token cache warm) vs a direct SDK call to the same server with the same token.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { z } from "zod";
import { OIDC_CLIENT, startIdentityStack } from "../../e2e/support/identity-stack";
import { ssoLogin } from "../../e2e/support/sso-login";
import { baseEnv, seed, sqliteUrl, startConsole, stats, time, unusedPort } from "./support";

// What the bench reads of a tool call's answer.
const toolResult = z.object({ content: z.array(z.object({ text: z.string().optional() })).optional() });

export async function benchToolCall() {
  const consolePort = await unusedPort();
  const consoleUrl = `http://127.0.0.1:${consolePort}`;
  const stack = await startIdentityStack({ consoleUrls: [consoleUrl], users: [{ sub: "bench-user", email: "bench-sso@example.com", name: "Bench", password: "x" }] });
  try {
    const env = baseEnv(sqliteUrl("tool-call.db"), consolePort, {
      ENTERPRISE_ENABLED: "true",
      OIDC_ISSUER: stack.idp.issuer,
      OIDC_CLIENT_ID: OIDC_CLIENT.client_id,
      OIDC_CLIENT_SECRET: OIDC_CLIENT.client_secret,
    });
    const { refresh_token } = await ssoLogin({ issuer: stack.idp.issuer, clientId: OIDC_CLIENT.client_id, clientSecret: OIDC_CLIENT.client_secret, redirectUri: `${consoleUrl}/api/auth/callback/oidc`, loginHint: "bench-user" });
    const seeded = seed(env, ["tool", stack.idp.issuer, stack.whoami.url, JSON.stringify([{ sub: "bench-user", email: "bench-sso@example.com", refreshToken: refresh_token }])]);
    const [token] = seeded.tokens ?? [];
    const consoleProcess = await startConsole(consolePort, env);

    const callUrl = `${consoleUrl}/api/v1/mcp-providers/${seeded.providerId}/tools/whoami/call`;
    const viaConsole = async () => {
      const res = await fetch(callUrl, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: '{"arguments":{}}' });
      const body = toolResult.parse(await res.json());
      if (body.content?.[0]?.text !== "bench-user") throw new Error(`unexpected result ${JSON.stringify(body)}`);
    };
    const grantsAtStart = stack.idp.refreshGrants();
    await viaConsole(); // mints and caches the token
    const mintedOnFirstCall = stack.idp.refreshGrants() - grantsAtStart;
    const grantsBefore = stack.idp.refreshGrants();
    const forwardedToken = stack.whoami.authorizations.at(-1);
    if (!forwardedToken) throw new Error("the console called whoami without a token");
    const direct = async () => {
      const client = new Client({ name: "bench", version: "1" });
      const transport = new StreamableHTTPClientTransport(new URL(stack.whoami.url), { requestInit: { headers: { authorization: forwardedToken } } });
      await client.connect(transport);
      const out = await client.callTool({ name: "whoami", arguments: {} });
      if ((out.content as { text: string }[])[0].text !== "bench-user") throw new Error("direct call failed");
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    };
    // A client that keeps its session open between calls: only the tools/call round trip.
    const warmClient = new Client({ name: "bench-warm", version: "1" });
    await warmClient.connect(new StreamableHTTPClientTransport(new URL(stack.whoami.url), { requestInit: { headers: { authorization: forwardedToken } } }));
    const directWarm = async () => {
      const out = await warmClient.callTool({ name: "whoami", arguments: {} });
      if ((out.content as { text: string }[])[0].text !== "bench-user") throw new Error("warm direct call failed");
    };
    const hop = async () => {
      const res = await fetch(`${consoleUrl}/api/v1/features`, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error("features failed");
      await res.arrayBuffer();
    };
    for (let i = 0; i < 20; i++) {
      await viaConsole();
      await direct();
    }
    const consoleSamples: number[] = [];
    const directSamples: number[] = [];
    const hopSamples: number[] = [];
    const warmSamples: number[] = [];
    // Interleaved, so drift in machine load hits both sides alike.
    for (let i = 0; i < 300; i++) {
      consoleSamples.push(await time(viaConsole));
      directSamples.push(await time(direct));
      hopSamples.push(await time(hop));
      warmSamples.push(await time(directWarm));
    }
    const issuerCalls = stack.idp.refreshGrants() - grantsBefore;
    await warmClient.close();
    await consoleProcess.stop();
    return { console: stats(consoleSamples), direct: stats(directSamples), hop: stats(hopSamples), directWarm: stats(warmSamples), calls: consoleSamples.length, issuerCalls, mintedOnFirstCall };
  } finally {
    await stack.stop();
  }
}
