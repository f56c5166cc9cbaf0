// Identity through the MCP gateway: each caller reaches a JWKS-verifying MCP server with a token
// minted for them and that server — never the caller's own token, never a shared credential — and
// every identity fault reaches the MCP client as a tool error with the words the UI shows.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { retireIdentity } from "@/lib/identity/sso-accounts";
import { connectGateway } from "./gateway-client";
import { callWhoami, createActor, onlyUserTokens, startIdentityFixture, STATIC, type IdentityFixture } from "./identity-fixture";
import { call, type Actor } from "./helpers";

let f: IdentityFixture;
let admin: Actor & { email: string };

beforeAll(async () => {
  f = await startIdentityFixture();
});

afterAll(() => f.stop());

beforeEach(async () => {
  admin = await createActor("admin");
  f.reset();
});

async function identifierOf(id: string) {
  return (await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id } })).json.server_identifier;
}

async function callThroughGateway(actor: Actor, id: string, path?: string) {
  const identifier = await identifierOf(id);
  const client = await connectGateway(actor.token, path ?? `/mcp/${identifier}`);
  try {
    return (await client.callTool({ name: path === "/mcp" ? `${identifier}__whoami` : "whoami", arguments: {} })) as CallToolResult;
  } finally {
    await client.close();
  }
}

const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;

describe("identity through the gateway", () => {
  it("two users at the same time: each reaches the server with their own audience-bound token", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const bob = await f.ssoMember("bob-sub", admin.workspaceId);
    const runs = await Promise.all([
      ...Array.from({ length: 3 }, () => callThroughGateway(alice, p.id)),
      ...Array.from({ length: 3 }, () => callThroughGateway(bob, p.id, "/mcp")),
    ]);
    expect(runs.map(textOf)).toEqual(["alice-sub", "alice-sub", "alice-sub", "bob-sub", "bob-sub", "bob-sub"]);
    const subjects = new Set<string>();
    for (const header of f.whoami.authorizations) {
      expect(header).not.toBe(STATIC);
      expect(header).not.toContain(alice.token);
      expect(header).not.toContain(bob.token);
      const claims = decodeJwt(/^Bearer (.+)$/.exec(header ?? "")?.[1] ?? "");
      expect(claims.aud).toBe(f.whoami.url);
      subjects.add(String(claims.sub));
    }
    expect([...subjects].sort()).toEqual(["alice-sub", "bob-sub"]);
    for (const headers of f.whoami.requests) expect(headers["x-api-key"]).toBeUndefined();
    expect(f.issuerCalls()).toBe(2); // one token per user, whatever the number of calls
  });

  it("a user with no SSO session: a tool error saying what to do, as the UI says it; the server receives nothing", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const local = await createActor("member", admin.workspaceId);
    const result = await callThroughGateway(local, p.id);
    const rest = await callWhoami(local, p.id);
    expect(rest.status).toBe(424);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(rest.json.detail);
    expect(textOf(result)).toContain("Sign in with SSO again");
    expect(f.whoami.authorizations).toEqual([]);
  });

  it.each([
    // A refusal ends the user's forwarding (what the REST API says next is "no SSO session"), so the words are checked as such.
    ["the IdP refuses the refresh", "refuse" as const, "Your identity provider refused a token for"],
    ["the IdP can't be reached", "unreachable" as const, "unreachable"],
  ])("%s: a tool error with the UI's message, and the server receives nothing", async (_label, behaviour, words) => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    f.idp.setRefreshBehaviour(behaviour);
    const result = await callThroughGateway(alice, p.id, "/mcp");
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(words);
    expect(textOf(result)).toContain(p.name);
    expect(f.whoami.authorizations).toEqual([]);
  });

  it("the server refuses the user's token: a tool error, and nothing but the user's own token is ever sent", async () => {
    const p = await f.provider(admin, f.strict.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const result = await callThroughGateway(alice, p.id);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("Nothing was retried with other credentials");
    onlyUserTokens(f.strict, "alice-sub");
    // The initialize and the call each try the user's token; nothing else is ever sent.
    expect(f.strict.authorizations.every((header) => header !== STATIC)).toBe(true);
  });

  it("a token minted anew mid-session is used from the next request on, and the session goes on", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const client = await connectGateway(alice.token, `/mcp/${await identifierOf(p.id)}`);
    try {
      expect(textOf((await client.callTool({ name: "whoami", arguments: {} })) as CallToolResult)).toBe("alice-sub");
      const first = f.whoami.authorizations.at(-1);
      // Her identity moves on a version (as a sign-out elsewhere or a refusal would): the cached token is dead.
      await retireIdentity(alice.userId);
      expect(textOf((await client.callTool({ name: "whoami", arguments: {} })) as CallToolResult)).toBe("alice-sub");
      const second = f.whoami.authorizations.at(-1);
      expect(second).not.toBe(first);
      expect(decodeJwt(/^Bearer (.+)$/.exec(second ?? "")?.[1] ?? "").sub).toBe("alice-sub");
      expect(f.issuerCalls()).toBe(2);
    } finally {
      await client.close();
    }
  });
});
