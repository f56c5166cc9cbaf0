// The conformance suite's client command, `client.ts <server-url>` (MCP_CONFORMANCE_SCENARIO and
// MCP_CONFORMANCE_CONTEXT set by the suite): the console itself, on a database of its own. The
// scenario's server is registered as a provider — configured the way an admin would configure it
// from what the scenario's context says — and then the console's own code does the rest: a tools
// refresh and a tool call as a member (lib/providers/tools.ts, the MCP SDK v2 client of
// lib/mcp/client.ts), and, whenever that answers connection_required, what the member does — Connect
// (startConnection), the browser at the authorization server (the suite's answers at once with a
// redirect), and the callback (finishConnection, with its state, browser and `iss` checks).
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { z } from "zod";

const MAX_CONNECTS = 3;

const contextSchema = z.looseObject({
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  private_key_pem: z.string().optional(),
  valid_jwt: z.string().optional(),
  idp_id_token: z.string().optional(),
  idp_issuer: z.string().optional(),
  idp_client_id: z.string().optional(),
});
type Context = z.infer<typeof contextSchema>;

/** A database of this run's own (in `dir`), copied from the migrated template the runner made. */
function ownDatabase(dir: string) {
  const template = process.env.CONFORMANCE_DB_TEMPLATE;
  if (!template) throw new Error("CONFORMANCE_DB_TEMPLATE (a migrated SQLite file) is not set");
  copyFileSync(template, path.join(dir, "console.db"));
  process.env.DATABASE_URL = `file:${path.join(dir, "console.db")}`;
}

/** Enterprise-Managed Authorization: the scenario's IdP, where the member signed in, and the ID token that sign-in gave. */
type EnterpriseSso = { issuer: string; clientId: string; idToken: string };

function enterpriseSsoOf(context: Context): EnterpriseSso | undefined {
  const { idp_issuer: issuer, idp_client_id: clientId, idp_id_token: idToken } = context;
  return issuer && clientId && idToken ? { issuer, clientId, idToken } : undefined;
}

/**
 * An operator's configuration for Enterprise-Managed Authorization, set before the console reads
 * its environment: enterprise features on, and the scenario's IdP as the console's SSO provider,
 * with the console's client there (the suite's IdP authenticates no client, so its secret is any).
 */
function configureEnterpriseSso(sso: EnterpriseSso) {
  Object.assign(process.env, { ENTERPRISE_ENABLED: "true", OIDC_ISSUER: sso.issuer, OIDC_CLIENT_ID: sso.clientId, OIDC_CLIENT_SECRET: "conformance-idp-client-secret" });
}

/**
 * What an admin would put in the provider's settings for an Enterprise-Managed Authorization
 * server: the id_jag identity mode, redeemed as the client the scenario registered at the server's
 * authorization server.
 */
function idJagSettingsFor(context: Context) {
  return { identity_mode: "id_jag", identity_settings: { client_id: context.client_id, ...(context.client_secret ? { client_secret: context.client_secret } : {}) } };
}

/**
 * What an admin would put in the provider's Authentication settings for this server, from what the
 * scenario tells its client: a client with a private key or (client-credentials scenarios) a secret
 * is the console's own machine-to-machine client; a workload token is the deployment's workload
 * identity (the operator's WORKLOAD_IDENTITY_TOKEN_FILE, set before the console reads its
 * environment); any other client is one registered for people connecting.
 */
function authenticationFor(scenario: string, context: Context, dir: string) {
  if (context.client_id && context.private_key_pem) {
    return { connection: "shared", grant_type: "client_credentials", client_id: context.client_id, private_key: context.private_key_pem };
  }
  if (context.client_id && context.client_secret && scenario.startsWith("auth/client-credentials")) {
    return { connection: "shared", grant_type: "client_credentials", client_id: context.client_id, client_secret: context.client_secret };
  }
  if (context.client_id && context.valid_jwt) {
    process.env.WORKLOAD_IDENTITY_TOKEN_FILE = path.join(dir, "workload.jwt");
    writeFileSync(process.env.WORKLOAD_IDENTITY_TOKEN_FILE, context.valid_jwt);
    return { connection: "shared", grant_type: "jwt_bearer", client_id: context.client_id };
  }
  const client = context.client_id ? { client_id: context.client_id, ...(context.client_secret ? { client_secret: context.client_secret } : {}) } : {};
  return { connection: "per_user", ...client };
}

async function main() {
  const serverUrl = process.argv[2] ?? "";
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? "";
  const context = contextSchema.parse(JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}"));
  const dir = mkdtempSync(path.join(tmpdir(), "mcp-conformance-"));
  ownDatabase(dir);
  const sso = enterpriseSsoOf(context);
  if (sso) configureEnterpriseSso(sso);
  const settings = sso ? idJagSettingsFor(context) : { authentication: { type: "oauth", ...authenticationFor(scenario, context, dir) } };
  const { db } = await import("@/lib/db");
  const { ApiError } = await import("@/lib/api/errors");
  const { createProvider, findProviderRow } = await import("@/lib/providers/data");
  const { createProviderSchema } = await import("@/lib/providers/schemas");
  const { callProviderTool, refreshProviderTools } = await import("@/lib/providers/tools");
  const { linkSsoAccount } = await import("@/lib/auth/sso");
  const { browserValue, finishConnection, startConnection } = await import("@/lib/upstream-oauth/connections");
  /** What the console's SSO sign-in does with the IdP's answer (lib/auth/options.ts): link the identity and keep its tokens. */
  async function signInWithSso({ issuer, idToken }: EnterpriseSso): Promise<string> {
    const claims = decodeJwt(idToken);
    const linked = await linkSsoAccount({ issuer, subject: String(claims.sub), email: claims.email, emailVerified: claims.email_verified, name: "Member", idToken });
    if (!("userId" in linked)) throw new Error(`the SSO sign-in was refused: ${linked.refused}`);
    return linked.userId;
  }

  try {
    const workspaceId = randomUUID();
    // With an enterprise IdP the member signs in there (the console's SSO sign-in keeps the ID token it gives).
    const userId = sso ? await signInWithSso(sso) : randomUUID();
    await db().workspace.create({ data: { id: workspaceId, name: "Conformance", createdAt: new Date() } });
    if (!sso) await db().user.create({ data: { id: userId, email: "member@conformance.test", name: "Member", createdAt: new Date() } });
    await db().membership.create({ data: { userId, workspaceId, role: "owner", createdAt: new Date() } });
    const input = createProviderSchema.parse({ name: "Conformance", server_identifier: "conformance", server_url: serverUrl, ...settings });
    const { id } = await createProvider({ workspaceId, userId, input });
    const caller = { userId, workspaceId, role: "owner" as const };
    const browser = browserValue(undefined);

    /** The member presses Connect, signs in at the authorization server and comes back. */
    async function connect() {
      const authorizationUrl = await startConnection(await findProviderRow({ workspaceId, id }), caller, browser);
      const answer = await fetch(authorizationUrl, { redirect: "manual" });
      const back = new URL(answer.headers.get("location") ?? "", authorizationUrl).searchParams;
      const query = Object.fromEntries(["state", "code", "iss", "error"].flatMap((name) => (back.has(name) ? [[name, back.get(name) ?? ""]] : [])));
      const finished = await finishConnection(query, caller, browser);
      if (finished.error) throw new Error(finished.error);
    }

    for (let connects = 0; ; connects++) {
      try {
        const tools = await refreshProviderTools({ workspaceId, id, caller });
        const first = tools.data.at(0);
        if (first) await callProviderTool({ workspaceId, id, tool: first.name, args: {}, user: { userId, workspaceId } });
        return;
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== "connection_required" || connects === MAX_CONNECTS) throw error;
        await connect();
      }
    }
  } finally {
    await db().$disconnect().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
