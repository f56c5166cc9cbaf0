// Every route × every kind of caller → the exact status, generated from one table.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "@/lib/auth/api-tokens";
import { endSession } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { startDroppingServer } from "../../e2e/support/ports";
import { call, callPath, createActor, ORIGIN, sessionCookie, uniqueProvider, type Actor } from "./helpers";

type ActorName = "anonymous" | "member" | "admin" | "owner" | "otherWorkspaceAdmin" | "revokedToken" | "signedOutSession";
const ACTORS: ActorName[] = ["anonymous", "member", "admin", "owner", "otherWorkspaceAdmin", "revokedToken", "signedOutSession"];

type Fixture = { providerId: string; perUserProviderId: string; sharedProviderId: string; adminTokenId: string; adminUserId: string };
type Route = { name: string; method: string; path: (f: Fixture) => string; body?: () => unknown; expect: Record<ActorName, number> };

const row = (anonymous: number, member: number, admin: number, owner: number, otherWorkspaceAdmin: number, revokedToken = 401, signedOutSession = 401) =>
  ({ anonymous, member, admin, owner, otherWorkspaceAdmin, revokedToken, signedOutSession }) satisfies Record<ActorName, number>;

// The provider's server is on a closed local port: authorized tool calls reach the network and fail (502).
const ROUTES: Route[] = [
  { name: "list providers", method: "GET", path: () => "/api/v1/mcp-providers", expect: row(401, 200, 200, 200, 200) },
  { name: "create a provider", method: "POST", path: () => "/api/v1/mcp-providers", body: () => uniqueProvider(), expect: row(401, 403, 201, 201, 201) },
  { name: "get a provider", method: "GET", path: (f) => `/api/v1/mcp-providers/${f.providerId}`, expect: row(401, 200, 200, 200, 404) },
  { name: "patch a provider", method: "PATCH", path: (f) => `/api/v1/mcp-providers/${f.providerId}`, body: () => ({ configuration: { timeout: 7 } }), expect: row(401, 403, 200, 200, 404) },
  { name: "delete a provider", method: "DELETE", path: (f) => `/api/v1/mcp-providers/${f.providerId}`, expect: row(401, 403, 204, 204, 404) },
  { name: "test a new provider's connection", method: "POST", path: () => "/api/v1/mcp-providers/check", body: () => uniqueProvider(), expect: row(401, 403, 200, 200, 200) },
  { name: "test a provider's changes", method: "POST", path: (f) => `/api/v1/mcp-providers/${f.providerId}/check`, body: () => ({}), expect: row(401, 403, 200, 200, 404) },
  { name: "a provider's change history", method: "GET", path: (f) => `/api/v1/mcp-providers/${f.providerId}/history`, expect: row(401, 403, 200, 200, 404) },
  { name: "list a provider's tools", method: "GET", path: (f) => `/api/v1/mcp-providers/${f.providerId}/tools`, expect: row(401, 200, 200, 200, 404) },
  { name: "refresh a provider's tools", method: "POST", path: (f) => `/api/v1/mcp-providers/${f.providerId}/tools/refresh`, expect: row(401, 502, 502, 502, 404) },
  { name: "call a tool", method: "POST", path: (f) => `/api/v1/mcp-providers/${f.providerId}/tools/echo/call`, body: () => ({ arguments: {} }), expect: row(401, 502, 502, 502, 404) },
  // OAuth connections (SPEC §9): a provider without OAuth has none; a shared one is the admins' to make.
  { name: "your connection to a provider without OAuth", method: "GET", path: (f) => `/api/v1/mcp-providers/${f.providerId}/connection`, expect: row(401, 409, 409, 409, 404) },
  { name: "your connection to a per-user OAuth provider", method: "GET", path: (f) => `/api/v1/mcp-providers/${f.perUserProviderId}/connection`, expect: row(401, 200, 200, 200, 404) },
  { name: "start the workspace's shared connection", method: "POST", path: (f) => `/api/v1/mcp-providers/${f.sharedProviderId}/connection`, expect: row(401, 403, 502, 502, 404) },
  { name: "start your own connection", method: "POST", path: (f) => `/api/v1/mcp-providers/${f.perUserProviderId}/connection`, expect: row(401, 502, 502, 502, 404) },
  { name: "end a connection that doesn't exist", method: "DELETE", path: (f) => `/api/v1/mcp-providers/${f.perUserProviderId}/connection`, expect: row(401, 404, 404, 404, 404) },
  { name: "end another user's connection", method: "DELETE", path: (f) => `/api/v1/mcp-providers/${f.perUserProviderId}/connection?user_id=${f.adminUserId}x`, expect: row(401, 403, 404, 404, 404) },
  { name: "who is connected", method: "GET", path: (f) => `/api/v1/mcp-providers/${f.perUserProviderId}/connections`, expect: row(401, 403, 200, 200, 404) },
  { name: "the activity log", method: "GET", path: () => "/api/v1/tool-calls", expect: row(401, 200, 200, 200, 200) },
  { name: "another user's activity", method: "GET", path: (f) => `/api/v1/tool-calls?user=${f.adminUserId}`, expect: row(401, 403, 200, 200, 200) },
  { name: "features", method: "GET", path: () => "/api/v1/features", expect: row(401, 200, 200, 200, 200) },
  { name: "list API tokens", method: "GET", path: () => "/api/v1/api-tokens", expect: row(401, 200, 200, 200, 200) },
  { name: "create an API token", method: "POST", path: () => "/api/v1/api-tokens", body: () => ({ name: "matrix" }), expect: row(401, 201, 201, 201, 201) },
  // Tokens are personal: only the admin who made it can revoke it; to anyone else it doesn't exist.
  { name: "revoke the admin's API token", method: "DELETE", path: (f) => `/api/v1/api-tokens/${f.adminTokenId}`, expect: row(401, 404, 204, 404, 404) },
  { name: "your connected apps", method: "GET", path: () => "/api/v1/connected-apps", expect: row(401, 200, 200, 200, 200) },
  { name: "everyone's connected apps", method: "GET", path: () => "/api/v1/connected-apps?scope=workspace", expect: row(401, 403, 200, 200, 200) },
  { name: "revoke an unknown connected app", method: "DELETE", path: () => "/api/v1/connected-apps/no-such-grant", expect: row(401, 404, 404, 404, 404) },
  // Workspace administration: owners and admins of the caller's own workspace only.
  { name: "list members", method: "GET", path: () => "/api/v1/members", expect: row(401, 403, 200, 200, 200) },
  // Known and unknown addresses alike: an invitation, never a membership (SPEC §12).
  { name: "add an unknown email as a member", method: "POST", path: () => "/api/v1/members", body: () => ({ email: `nobody-${Math.random().toString(36).slice(2)}@example.test` }), expect: row(401, 403, 201, 201, 201) },
  { name: "add someone with an account as a member", method: "POST", path: () => "/api/v1/members", body: () => ({ email: elsewhereEmail }), expect: row(401, 403, 201, 201, 201) },
  { name: "change the admin's role", method: "PATCH", path: (f) => `/api/v1/members/${f.adminUserId}`, body: () => ({ role: "admin" }), expect: row(401, 403, 200, 200, 404) },
  { name: "remove someone who isn't a member", method: "DELETE", path: () => "/api/v1/members/no-such-user", expect: row(401, 403, 404, 404, 404) },
  { name: "invite someone", method: "POST", path: () => "/api/v1/invitations", body: () => ({ email: `invitee-${Math.random().toString(36).slice(2)}@example.test` }), expect: row(401, 403, 201, 201, 201) },
  { name: "revoke an unknown invitation", method: "DELETE", path: () => "/api/v1/invitations/00000000-0000-4000-8000-000000000000", expect: row(401, 403, 404, 404, 404) },
  // Invitations are for the console, signed in: an API token can't see them or take its user into another workspace.
  { name: "your invitations", method: "GET", path: () => "/api/v1/my-invitations", expect: row(401, 403, 403, 403, 403) },
  { name: "accept an unknown invitation", method: "POST", path: () => "/api/v1/my-invitations/00000000-0000-4000-8000-000000000000/accept", expect: row(401, 403, 403, 403, 403) },
  { name: "decline an unknown invitation", method: "DELETE", path: () => "/api/v1/my-invitations/00000000-0000-4000-8000-000000000000", expect: row(401, 403, 403, 403, 403) },
  { name: "mail yourself a verification link (no SMTP here)", method: "POST", path: () => "/api/v1/account/email-verification", expect: row(401, 409, 409, 409, 409) },
  { name: "your workspaces", method: "GET", path: () => "/api/v1/workspaces", expect: row(401, 200, 200, 200, 200) },
  { name: "create a workspace", method: "POST", path: () => "/api/v1/workspaces", body: () => ({ name: "Matrix" }), expect: row(401, 201, 201, 201, 201) },
  // An API token acts in the workspace it was made in.
  { name: "switch workspaces with an API token", method: "PUT", path: () => "/api/v1/workspaces/current", body: () => ({ workspace_id: "00000000-0000-4000-8000-000000000000" }), expect: row(401, 403, 403, 403, 403) },
  { name: "the workspace's settings", method: "GET", path: () => "/api/v1/settings", expect: row(401, 403, 200, 200, 200) },
  { name: "change the workspace's settings", method: "PATCH", path: () => "/api/v1/settings", body: () => ({ enterprise_managed_authorization: { allowed_client_ids: ["matrix-client"] } }), expect: row(401, 403, 200, 200, 200) },
  { name: "OpenAPI document", method: "GET", path: () => "/api/v1/openapi.json", expect: row(200, 200, 200, 200, 200, 200, 200) },
];

let workspace: { admin: Actor; owner: Actor; member: Actor };
let elsewhereEmail = "";
let callers: Record<ActorName, Partial<Actor> | null>;
let closedPort: number;
let dropping: Awaited<ReturnType<typeof startDroppingServer>>;

afterAll(() => dropping.stop());

beforeAll(async () => {
  dropping = await startDroppingServer();
  closedPort = dropping.port;
  const admin = await createActor("admin");
  const owner = await createActor("owner", admin.workspaceId);
  const member = await createActor("member", admin.workspaceId);
  workspace = { admin, owner, member };
  elsewhereEmail = (await createActor("owner")).email;

  const revoked = await createActor("admin", admin.workspaceId);
  await db().apiToken.deleteMany({ where: { userId: revoked.userId } });
  const signedOut = await createActor("admin", admin.workspaceId);
  const cookie = await sessionCookie(signedOut.userId);
  for (const session of await db().session.findMany({ where: { userId: signedOut.userId } })) await endSession(session.id);

  callers = {
    anonymous: null,
    member,
    admin,
    owner,
    otherWorkspaceAdmin: await createActor("admin"),
    revokedToken: { token: revoked.token },
    signedOutSession: { cookie },
  };
});

async function fixture(): Promise<Fixture> {
  const provider = await call(workspace.admin, "POST /api/v1/mcp-providers", {
    body: uniqueProvider({ server_url: `http://127.0.0.1:${closedPort}/mcp/${Math.random().toString(36).slice(2)}` }),
  });
  expect(provider.status).toBe(201);
  const oauth = async (connection: "shared" | "per_user") => {
    const created = await call(workspace.admin, "POST /api/v1/mcp-providers", {
      body: uniqueProvider({ server_url: `http://127.0.0.1:${closedPort}/mcp/${Math.random().toString(36).slice(2)}`, authentication: { type: "oauth", connection } }),
    });
    expect(created.status).toBe(201);
    return created.json.id;
  };
  const token = await createApiToken({ userId: workspace.admin.userId, workspaceId: workspace.admin.workspaceId, name: `to revoke ${Math.random().toString(36).slice(2)}` });
  return { providerId: provider.json.id, perUserProviderId: await oauth("per_user"), sharedProviderId: await oauth("shared"), adminTokenId: token.id, adminUserId: workspace.admin.userId };
}

describe("authorization matrix", () => {
  for (const route of ROUTES) {
    for (const actor of ACTORS) {
      const status = route.expect[actor];
      it(`${route.name}: ${actor} → ${status}`, async () => {
        const f = await fixture();
        const caller = callers[actor];
        const res = await callPath(caller, route.method, route.path(f), {
          body: route.body?.(),
          headers: caller?.cookie ? { origin: ORIGIN } : undefined,
        });
        expect(res.status, res.text).toBe(status);
        if (status >= 400) expect(res.headers.get("content-type")).toBe("application/problem+json");
      });
    }
  }
});
