// OAuth connections to providers' MCP servers (SPEC §9): Connect (a browser redirect to the
// server's authorization server and back), the token a call carries, refresh before expiry (one at
// a time per grant, across instances), and Disconnect. A per-user provider uses only the caller's
// own connection; a caller without one gets `connection_required` — never the workspace's or
// anyone else's token.
import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { auth, buildDiscoveryUrls, extractWWWAuthenticateParams } from "@modelcontextprotocol/sdk/client/auth.js";
import { InvalidGrantError, OAuthError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { z } from "zod";
import { readCapped } from "@/lib/api/body";
import { userRefSchema } from "@/lib/api/user-ref";
import { runAfterResponse } from "@/lib/background";
import { ApiError } from "@/lib/api/errors";
import { hasRole, type Role } from "@/lib/auth/roles";
import { constantTimeEqual, secrets } from "@/lib/crypto";
import { db, type DbTransaction } from "@/lib/db";
import { env } from "@/lib/env";
import { basicClientAuthorization } from "@/lib/identity/idp";
import { fieldsOf } from "@/lib/fields";
import { log } from "@/lib/log";
import { classify } from "@/lib/mcp/client";
import { outboundFetch } from "@/lib/mcp/outbound";
import { oauthUrls } from "@/lib/oauth/urls";
import { countTokenMint } from "@/lib/observability/metrics";
import { oauthBinding, oauthGrantOf, oauthOf, toDocument, type ProviderRow } from "@/lib/providers/record";
import { isInteractive, scopeSchema, type OAuthConnectionKind } from "@/lib/providers/schemas";
import { dpopTokenFetch, isDpopBound, type DpopKey, type DpopState } from "@/lib/upstream-oauth/dpop";
import { MachineGrantUnavailable } from "@/lib/upstream-oauth/machine-grants";
import { APPLICATION_TYPE, AuthorizationRequired, ConnectionAuth, IssuerMismatch, refreshMargin, tokenExpiry, type AuthState, type ClientOptions } from "@/lib/upstream-oauth/client-provider";
import { processWide } from "@/lib/process-wide";

export type ConnectionCaller = { userId: string; workspaceId: string; role: Role };

const WORKSPACE_OWNER = "workspace";
const PENDING_MS = 10 * 60_000;
const LEASE_MS = 30_000;
/** A token request must end well inside the lease, or a second instance could refresh too. */
const TOKEN_REQUEST_MS = 20_000;
const STATE_MAX = 200;

function box() {
  return secrets(env().encryptionKey);
}

const urls = () => {
  const { origin } = oauthUrls();
  return { callback: `${origin}/oauth/callback`, clientMetadata: env().OAUTH_CLIENT_METADATA_URL ?? `${origin}/oauth/client-metadata.json`, origin };
};

/** Where a user starts (or restarts) a connection: the provider's page, which has the Connect button. */
export function connectUrl(providerId: string): string {
  return `${urls().origin}/settings/providers/${providerId}?connect=1`;
}

/** What the console publishes as its Client ID Metadata Document (used when it is served over https). */
export function clientMetadataDocument() {
  const { callback, clientMetadata } = urls();
  return {
    client_id: clientMetadata,
    client_name: "MCP Console",
    client_uri: urls().origin,
    application_type: APPLICATION_TYPE,
    redirect_uris: [callback],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
  };
}

// Stored state is parsed at the boundary: what can't be read is an empty connection.
const storedStateSchema = z.object({
  tokens: z.looseObject({ access_token: z.string(), token_type: z.string(), expires_in: z.number().optional(), refresh_token: z.string().optional(), scope: z.string().optional(), saved_at: z.number().optional() }).optional(),
  client: z.looseObject({ client_id: z.string(), client_secret: z.string().optional() }).optional(),
  discovery: z.looseObject({ authorizationServerUrl: z.string() }).optional(),
  verifier: z.string().optional(),
  dpop: z.object({ alg: z.literal("ES256"), jwk: z.looseObject({ kty: z.literal("EC"), crv: z.literal("P-256"), x: z.string(), y: z.string(), d: z.string() }) }).optional(),
  /** A pending authorization: what the provider's settings were when it started. */
  bound_to: z.string().optional(),
  /** …and a hash of the browser cookie it was started with (BROWSER_COOKIE). */
  browser: z.string().optional(),
  /** The scope the connection was asked for (a step-up asks for it again, with more). */
  scope: z.string().optional(),
  /** The server's challenge at Connect was a DPoP one: it takes DPoP-bound tokens. */
  dpop_challenge: z.boolean().optional(),
});
type StoredState = AuthState & DpopState & { bound_to?: string; browser?: string; scope?: string };

function readSealed(id: string, sealed: string | null): StoredState {
  if (!sealed) return {};
  try {
    const parsed = storedStateSchema.safeParse(JSON.parse(box().decrypt(sealed)));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  log.warn({ connectionId: id }, "a stored OAuth connection could not be read; it is treated as not connected");
  return {};
}

function readState(row: { id: string; stateEncrypted: string }): StoredState {
  return readSealed(row.id, row.stateEncrypted);
}

/**
 * What tokens are for: the server, the client and the kind of connection. Anything else changed,
 * they are not sent. A machine grant's are also bound to what got them — the grant, the client's
 * secret or key, the scope — so a token got with other credentials is never taken for these (a Test
 * connection of a new secret tries that secret); a per-user connection survives a new secret.
 */
function bindingOf(row: ProviderRow, doc: Parameters<typeof oauthBinding>[0] = toDocument(row)): string {
  const auth = doc.authentication;
  const machine = isMachine(row) ? JSON.stringify([auth?.grant_type ?? null, auth?.client_secret ?? null, auth?.private_key ?? null, auth?.scope ?? null]) : "";
  return box().hash(`upstream-binding:${oauthBinding(doc)}${machine}`);
}

// Metadata, registrations and token answers are a few KiB; what they say is stored and read on every call.
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * The SDK's requests to authorization and resource servers: each ends well inside a refresh lease,
 * and an answer larger than MAX_ANSWER_BYTES is refused before the SDK reads (or keeps) any of it.
 */
class AnswerTooLarge extends Error {
  constructor() {
    super(`it sent an answer larger than ${MAX_ANSWER_BYTES / 1024} KiB, the console's limit`);
  }
}

export const boundedFetch: typeof fetch = async (input, init) => {
  const response = await outboundFetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(TOKEN_REQUEST_MS) });
  if (response.status < 200) return response;
  const tooBig = () => new AnswerTooLarge();
  const text = await readCapped(response, MAX_ANSWER_BYTES, tooBig, { cancelRefused: true });
  const empty = response.status === 204 || response.status === 205 || response.status === 304;
  return new Response(empty ? null : text, { status: response.status, statusText: response.statusText, headers: response.headers });
};

/**
 * What went wrong at an authorization server, in the console's words. Nothing the server wrote
 * (its error_description, its issuer's text) is relayed: a hostile server would put its own
 * message in front of the user. Its error code is named when it is one.
 */
function failureAt(error: unknown): string {
  if (error instanceof AnswerTooLarge || error instanceof AuthorizationRequired) return error.message;
  // Neither the issuer it names nor the URL the SDK quotes: both are the server's text.
  if (error instanceof IssuerMismatch) return "its metadata names another issuer, so it may be posing as another server; nothing was sent to it";
  if (error instanceof OAuthError) return /^[a-z_]{1,64}$/.test(error.errorCode) ? `it answered ${error.errorCode}` : "it refused";
  // The SDK's words for an HTTP failure ("HTTP 500 trying to load … from <url>"): only the status.
  const status = error instanceof Error ? /^HTTP (\d{3})\b/.exec(error.message)?.[1] : undefined;
  if (status) return `it answered HTTP ${status}`;
  if (error instanceof TypeError || fieldsOf(error).code !== undefined || fieldsOf(fieldsOf(error).cause).code !== undefined) return classify(error).message;
  return "its answer wasn't one the console could use";
}

function sealState(state: StoredState): string {
  return box().encrypt(JSON.stringify(state));
}

function clientOptions(row: ProviderRow, extra: Pick<ClientOptions, "onAuthorization" | "state" | "ignoreStoredTokens">, doc = toDocument(row)): ClientOptions {
  const auth = doc.authentication;
  const configured = auth?.client_id ? { client_id: auth.client_id, ...(auth.client_secret ? { client_secret: auth.client_secret } : {}) } : undefined;
  const grant = auth?.grant_type;
  const machineGrant = auth?.client_id && (grant === "client_credentials" || grant === "jwt_bearer")
    ? { type: grant, clientId: auth.client_id, ...(auth.private_key ? { privateKey: auth.private_key } : {}), ...(auth.scope ? { scope: auth.scope } : {}) }
    : undefined;
  const { callback, clientMetadata } = urls();
  return {
    redirectUrl: callback,
    clientName: "MCP Console",
    // The SDK accepts only an https document URL, and a server can only fetch a public one.
    ...(clientMetadata.startsWith("https://") ? { clientMetadataUrl: clientMetadata } : {}),
    ...(configured ? { configuredClient: configured } : {}),
    ...(machineGrant ? { machineGrant } : {}),
    ...extra,
  };
}

/** Whether the console gets this provider's tokens itself (a machine grant), with nobody to connect. */
function isMachine(row: ProviderRow): boolean {
  return oauthOf(row) !== undefined && !isInteractive(oauthGrantOf(row));
}

function kindOf(row: ProviderRow): OAuthConnectionKind {
  const kind = oauthOf(row);
  if (!kind) throw new ApiError("conflict", `${row.name} doesn't use OAuth; an admin can turn it on in its Authentication settings.`);
  return kind;
}

function ownerFor(kind: OAuthConnectionKind, userId: string): string {
  return kind === "shared" ? WORKSPACE_OWNER : userId;
}

export function connectionRequired(row: ProviderRow, kind: OAuthConnectionKind, why: "missing" | "expired" | "refused" | "scope" | "ended", scope?: string): ApiError {
  const url = connectUrl(row.id);
  const action = kind === "shared" ? `An admin must connect ${row.name} for the workspace` : `Connect your ${row.name} account`;
  const reason = {
    missing: kind === "shared" ? `${row.name} has no connection yet.` : `You haven't connected ${row.name} yet.`,
    expired: `The connection to ${row.name} has expired or was revoked at the server.`,
    refused: `${row.name} refused the connection's token, even after a refresh. Nothing was retried with other credentials.`,
    scope: `${row.name} needs more access than the connection grants${scope ? ` (${scope})` : ""}.`,
    ended: `The workspace's connection to ${row.name} ended: the admin who made it was removed from the workspace or is no longer an admin.`,
  }[why];
  return new ApiError("connection_required", `${reason} ${action}: ${url}`, { extensions: { connect_url: url } });
}

// ── The token a call carries ─────────────────────────────────────────────────────────────────

/** `dpop`: the key the token is bound to, when it is DPoP-bound (it is then presented with a proof of that key). */
export type ConnectionToken = { token: string; connectionId: string; kind: OAuthConnectionKind; validUntil: number; dpop?: DpopKey };

/** The token a call carries, from a connection's state. */
function tokenOf(tokens: NonNullable<StoredState["tokens"]>, state: StoredState, connectionId: string, kind: OAuthConnectionKind): ConnectionToken {
  const dpop = isDpopBound(tokens.token_type) ? state.dpop : undefined;
  return { token: tokens.access_token, connectionId, kind, validUntil: (tokenExpiry(tokens) ?? Number.POSITIVE_INFINITY) - refreshMargin(tokens), ...(dpop ? { dpop } : {}) };
}

/**
 * The access token a call to `row` carries for `userId`, refreshed first when it is about to
 * expire. `doc`: what the tokens are bound to, already decrypted by the caller.
 */
export async function connectionToken(row: ProviderRow, userId: string | undefined, doc: Parameters<typeof oauthBinding>[0] = toDocument(row)): Promise<ConnectionToken> {
  const kind = kindOf(row);
  // A machine grant needs the client's secret or key: decrypted here, only for these providers.
  if (isMachine(row)) return machineToken(row, toDocument(row));
  if (!userId) throw connectionRequired(row, kind, "missing");
  const stored = await db().upstreamConnection.findUnique({ where: { providerId_owner: { providerId: row.id, owner: ownerFor(kind, userId) } }, select: { id: true, stateEncrypted: true, boundTo: true, endedAt: true } });
  if (!stored) throw connectionRequired(row, kind, "missing");
  let state = readState(stored);
  // Made for another server, client or kind of connection: never sent (the provider changed since).
  if (!state.tokens || stored.boundTo !== bindingOf(row, doc)) throw connectionRequired(row, kind, stored.endedAt ? "ended" : "missing");
  const expiry = tokenExpiry(state.tokens);
  if (expiry !== undefined && expiry - Date.now() < refreshMargin(state.tokens)) state = await refreshOnce(row, kind, stored.id, state);
  const tokens = state.tokens;
  if (!tokens) throw connectionRequired(row, kind, "expired");
  return tokenOf(tokens, state, stored.id, kind);
}

/** The server refused `token` (401): refresh now, once; the caller retries once with the new token. */
export async function tokenRefused(row: ProviderRow, token: ConnectionToken): Promise<void> {
  // A machine grant's next token is got afresh (by connectionToken) once this one is gone.
  if (isMachine(row)) return dropTokens(token.connectionId, token.token);
  const stored = await db().upstreamConnection.findUnique({ where: { id: token.connectionId } });
  if (!stored) throw connectionRequired(row, token.kind, "expired");
  const state = readState(stored);
  // Someone else has refreshed since: their token is the one to try.
  if (state.tokens && state.tokens.access_token !== token.token) return;
  await refreshOnce(row, token.kind, stored.id, state, true);
}

/** The server refused a freshly refreshed token too: the connection is no good; the user reconnects. */
export async function connectionRefused(row: ProviderRow, token: ConnectionToken): Promise<ApiError> {
  await dropTokens(token.connectionId, token.token);
  return connectionRequired(row, token.kind, "refused");
}

/** What a server's challenge says — a Bearer one, or a DPoP one (RFC 9449 §7.1), which carries the same parameters. */
function challengeParams(challenge: string | undefined) {
  const asBearer = challenge?.replace(/^\s*DPoP\s+/i, "Bearer ");
  return asBearer ? extractWWWAuthenticateParams(new Response(null, { headers: { "www-authenticate": asBearer } })) : {};
}

/** RFC 6750: a 403 whose challenge says insufficient_scope asks for more scope (a step-up). */
export function isStepUp(challenge: string | undefined): boolean {
  return challengeParams(challenge).error === "insufficient_scope";
}

/** A scope a server named in a challenge, if it is one (RFC 6749 §3.3, as an admin's must be): it is stored, asked for and shown. */
function challengeScope(scope: string | undefined): string | undefined {
  return scope === undefined ? undefined : scopeSchema.safeParse(scope).data;
}

/** The server's step-up challenge (403 insufficient_scope): the next Connect asks for `scope`. */
export async function noteStepUp(row: ProviderRow, token: ConnectionToken, challenge: string | undefined): Promise<ApiError> {
  const scope = challengeScope(challengeParams(challenge).scope);
  if (scope) await db().upstreamConnection.updateMany({ where: { id: token.connectionId }, data: { stepUpScope: scope } });
  return connectionRequired(row, token.kind, "scope", scope);
}

// ── Machine grants: tokens the console gets itself ──────────────────────────────────────────

// Concurrent calls in this process share one token request; other instances wait on the lease.
const obtaining = processWide("upstream-oauth-obtaining", () => new Map<string, Promise<StoredState>>());

/** The workspace's token for a machine-grant provider: the stored one while it lasts, else a new one. */
async function machineToken(row: ProviderRow, doc: ReturnType<typeof toDocument>): Promise<ConnectionToken> {
  const binding = bindingOf(row, doc);
  const where = { providerId_owner: { providerId: row.id, owner: WORKSPACE_OWNER } };
  let stored = await db().upstreamConnection.findUnique({ where });
  const usable = (candidate: StoredState, boundTo: string | null) => {
    const expiry = tokenExpiry(candidate.tokens);
    return Boolean(candidate.tokens) && boundTo === binding && (expiry === undefined || expiry - Date.now() >= refreshMargin(candidate.tokens));
  };
  // Settings nobody has saved (Test connection of a new provider, or of an edit): a token is got
  // for them and kept nowhere — the saved connection stays as it was.
  if (!(stored && usable(readState(stored), stored.boundTo)) && !(await savedWith(row, binding))) return machineTokenOf(row, await requestMachineToken(row, doc, {}), "");
  if (!stored) {
    // Another call may create it at the same moment: either row will do.
    await db().upstreamConnection.create({ data: { id: randomUUID(), providerId: row.id, workspaceId: row.workspaceId, owner: WORKSPACE_OWNER, userId: null, stateEncrypted: sealState({}) } }).catch(() => undefined);
    stored = await db().upstreamConnection.findUniqueOrThrow({ where });
  }
  const connectionId = stored.id;
  let state = readState(stored);
  if (!usable(state, stored.boundTo)) {
    let pending = obtaining.get(connectionId);
    if (!pending) {
      pending = obtainUnderLease(row, doc, connectionId, binding, usable).finally(() => obtaining.delete(connectionId));
      obtaining.set(connectionId, pending);
    }
    state = await pending;
  }
  return machineTokenOf(row, state, connectionId);
}

function machineTokenOf(row: ProviderRow, state: StoredState, connectionId: string): ConnectionToken {
  const tokens = state.tokens;
  if (!tokens) throw new ApiError("upstream_error", `${row.name}'s authorization server gave the console no token.`);
  return tokenOf(tokens, state, connectionId, "shared");
}

/** Whether `row`'s settings are the provider's saved ones (a check's row is not). */
async function savedWith(row: ProviderRow, binding: string): Promise<boolean> {
  const saved = await db().mcpProvider.findUnique({ where: { id: row.id } });
  return saved !== null && saved.workspaceId === row.workspaceId && bindingOf(saved) === binding;
}

/** The machine grant at the server's authorization server; `state` gains the tokens (and what discovery found). */
async function requestMachineToken(row: ProviderRow, doc: ReturnType<typeof toDocument>, state: StoredState): Promise<StoredState> {
  const client = new ConnectionAuth(state, clientOptions(row, { onAuthorization: "refuse" }, doc));
  const mint = mintCounter(row, `oauth_${oauthGrantOf(row)}`);
  try {
    await auth(client, { serverUrl: doc.server_url, fetchFn: dpopTokenFetch(state, boundedFetch) });
    mint("ok");
  } catch (error) {
    mint("error");
    log.warn({ err: error, providerId: row.id }, "a machine-grant token request failed");
    const why = error instanceof MachineGrantUnavailable ? error.message : failureAt(error);
    throw new ApiError("upstream_error", `${row.name}'s authorization server didn't give the console a token: ${why}. Nothing was retried with another grant.`);
  }
  return state;
}

async function obtainUnderLease(row: ProviderRow, doc: ReturnType<typeof toDocument>, connectionId: string, binding: string, usable: (state: StoredState, boundTo: string | null) => boolean): Promise<StoredState> {
  const lease = await waitForLease(connectionId, `Couldn't get a token for ${row.name} right now; try again in a moment.`);
  try {
    const stored = await db().upstreamConnection.findUniqueOrThrow({ where: { id: connectionId } });
    const seen = readState(stored);
    if (usable(seen, stored.boundTo)) return seen;
    // Discovery is kept for these settings only; what was learnt for other settings starts over.
    const state = await requestMachineToken(row, doc, stored.boundTo === binding && seen.discovery ? { discovery: seen.discovery, ...(seen.dpop ? { dpop: seen.dpop } : {}) } : {});
    const now = new Date();
    await db().upstreamConnection.updateMany({ where: { id: connectionId }, data: { stateEncrypted: sealState(state), boundTo: binding, connectedAt: now, connectedBy: null, expiresAt: expiresAtOf(state), endedAt: null, endedReason: null, updatedAt: now } });
    return state;
  } finally {
    await db().upstreamConnection.updateMany({ where: { id: connectionId, refreshingUntil: lease }, data: { refreshingUntil: null } });
  }
}

/** Counts a token request at `row`'s authorization server (for /metrics) when it ends with `outcome`. */
function mintCounter(row: ProviderRow, mode: string) {
  const started = performance.now();
  return (outcome: "ok" | "refused" | "error") => { countTokenMint(row.workspaceId, mode, outcome, (performance.now() - started) / 1000); };
}

// Concurrent calls in this process share one refresh; other instances wait on the lease.
const refreshing = processWide("upstream-oauth-refreshing", () => new Map<string, Promise<StoredState>>());

function refreshOnce(row: ProviderRow, kind: OAuthConnectionKind, connectionId: string, seen: StoredState, force = false): Promise<StoredState> {
  let pending = refreshing.get(connectionId);
  if (!pending) {
    pending = refreshUnderLease(row, kind, connectionId, seen, force).finally(() => refreshing.delete(connectionId));
    refreshing.set(connectionId, pending);
  }
  return pending;
}

/** The lease's own expiry is its identity: only the instance that set it releases it. */
async function takeLease(connectionId: string): Promise<Date | undefined> {
  const now = new Date();
  const until = new Date(now.getTime() + LEASE_MS);
  const { count } = await db().upstreamConnection.updateMany({
    where: { id: connectionId, OR: [{ refreshingUntil: null }, { refreshingUntil: { lt: now } }] },
    data: { refreshingUntil: until },
  });
  return count === 1 ? until : undefined;
}

/** The connection's lease, once no other instance holds it (or `busy`, after a lease's length). */
async function waitForLease(connectionId: string, busy: string): Promise<Date> {
  const deadline = Date.now() + LEASE_MS + 5_000;
  for (;;) {
    const lease = await takeLease(connectionId);
    if (lease) return lease;
    if (Date.now() > deadline) throw new ApiError("upstream_error", busy);
    await sleep(200);
  }
}

async function refreshUnderLease(row: ProviderRow, kind: OAuthConnectionKind, connectionId: string, seen: StoredState, force: boolean): Promise<StoredState> {
  const lease = await waitForLease(connectionId, `Couldn't refresh the connection to ${row.name} right now; try again in a moment.`);
  try {
    const stored = await db().upstreamConnection.findUnique({ where: { id: connectionId } });
    if (!stored) throw connectionRequired(row, kind, "expired");
    const state = readState(stored);
    // Another instance refreshed while this one waited.
    if (state.tokens && state.tokens.access_token !== seen.tokens?.access_token) return state;
    if (!force) {
      const expiry = tokenExpiry(state.tokens);
      if (state.tokens && (expiry === undefined || expiry - Date.now() >= refreshMargin(state.tokens))) return state;
    }
    const refused = state.tokens?.access_token;
    if (!refused || !state.tokens?.refresh_token) {
      if (refused) await dropTokens(connectionId, refused);
      throw connectionRequired(row, kind, force ? "refused" : "expired");
    }
    const client = new ConnectionAuth(state, clientOptions(row, { onAuthorization: "refuse" }));
    // What the token endpoint answered, as the authorization server said it (the SDK swallows some).
    let refusal: string | undefined;
    let unanswered: unknown;
    const tokenFetch = dpopTokenFetch(state, boundedFetch);
    const watchingFetch: typeof fetch = async (input, init) => {
      const response = await tokenFetch(input, init).catch((error: unknown) => {
        unanswered = error;
        throw error;
      });
      if (response.status === 400 || response.status === 401) {
        const body = (await response.clone().json().catch(() => undefined)) as { error?: unknown } | undefined;
        if (typeof body?.error === "string") refusal = body.error;
      }
      return response;
    };
    const mint = mintCounter(row, "oauth_refresh");
    try {
      await auth(client, { serverUrl: toDocument(row).server_url, fetchFn: watchingFetch });
      mint("ok");
    } catch (error) {
      // The authorization server refused the grant (invalid_grant) or the client: only the user
      // can start over. Anything else — an outage, a 5xx, a timeout — keeps the connection for the
      // next try.
      const refusedGrant = error instanceof InvalidGrantError || refusal === "invalid_grant" || refusal === "invalid_client" || refusal === "unauthorized_client";
      mint(refusedGrant ? "refused" : "error");
      if (refusedGrant) {
        await dropTokens(connectionId, refused);
        throw connectionRequired(row, kind, "expired");
      }
      log.warn({ err: error, providerId: row.id }, "an OAuth connection could not be refreshed; it is kept for the next try");
      const stillValid = (tokenExpiry(seen.tokens) ?? 0) > Date.now();
      if (stillValid && !force) return seen;
      // The SDK goes on to ask for a sign-in when a refresh fails in a way it doesn't know: say what happened.
      const why = unanswered ? failureAt(unanswered) : error instanceof AuthorizationRequired ? "it didn't answer the refresh" : failureAt(error);
      throw new ApiError("upstream_error", `Couldn't refresh the connection to ${row.name} at its authorization server: ${why}. Try again in a moment.`);
    }
    const { count } = await db().upstreamConnection.updateMany({ where: { id: connectionId }, data: { stateEncrypted: sealState(state), expiresAt: expiresAtOf(state), updatedAt: new Date() } });
    if (count === 0) throw connectionRequired(row, kind, "expired");
    return state;
  } finally {
    await db().upstreamConnection.updateMany({ where: { id: connectionId, refreshingUntil: lease }, data: { refreshingUntil: null } });
  }
}

/** Forgets the tokens — only if they are still `accessToken` (another request may have refreshed them since). */
async function dropTokens(connectionId: string, accessToken: string) {
  const stored = await db().upstreamConnection.findUnique({ where: { id: connectionId } });
  if (!stored) return;
  const state = readState(stored);
  if (state.tokens?.access_token !== accessToken) return;
  const { tokens: _dropped, ...rest } = state;
  await db().upstreamConnection.updateMany({ where: { id: connectionId, updatedAt: stored.updatedAt }, data: { stateEncrypted: sealState(rest), connectedAt: null, expiresAt: null, updatedAt: new Date() } });
}

function expiresAtOf(state: StoredState): Date | null {
  const expiry = tokenExpiry(state.tokens);
  return expiry === undefined ? null : new Date(expiry);
}

// ── Connect ──────────────────────────────────────────────────────────────────────────────────

function stateKey(state: string): string {
  return box().hash(`upstream-oauth-state:${state}`);
}

function mayManage(kind: OAuthConnectionKind, caller: ConnectionCaller, provider: ProviderRow): void {
  if (kind === "shared" && !hasRole(caller.role, "admin")) {
    throw new ApiError("forbidden", `Only owners and admins connect ${provider.name} for the workspace.`);
  }
}

const PROBE_INITIALIZE = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "mcp-console", version: "1.0.0" } } };
const PROBE_TOOLS_LIST = { jsonrpc: "2.0", id: 0, method: "tools/list", params: {} };

/**
 * What the server's 401 says: where its metadata is, and which scope it wants. The console's calls
 * start with tools/list, and some servers let an initialize through and refuse only what follows
 * (with the scope they want): tools/list is asked first, then initialize.
 */
async function challengeOf(serverUrl: string): Promise<{ resourceMetadataUrl?: URL; scope?: string; dpop?: boolean }> {
  try {
    for (const probe of [PROBE_TOOLS_LIST, PROBE_INITIALIZE]) {
      const res = await outboundFetch(serverUrl, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" },
        body: JSON.stringify(probe),
        signal: AbortSignal.timeout(15_000),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status !== 401 && res.status !== 403) continue;
      const header = res.headers.get("www-authenticate") ?? undefined;
      const params = challengeParams(header);
      const resourceMetadataUrl = params.resourceMetadataUrl;
      const scope = challengeScope(params.scope);
      // A DPoP challenge, alone or next to a Bearer one (RFC 9449 §7.1).
      const dpop = /(^|,)\s*DPoP(\s|,|$)/i.test(header ?? "");
      return { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}), ...(dpop ? { dpop } : {}) };
    }
    return {};
  } catch (error) {
    throw new ApiError("upstream_error", `Couldn't reach the server to connect: ${classify(error).message}.`);
  }
}

/**
 * The cookie that ties a pending sign-in to the browser that started it: its answer is accepted
 * only from that browser (a code someone else obtained can't be brought back by another one).
 */
export const BROWSER_COOKIE = "mcp_console_connect";
const BROWSER_VALUE = /^[A-Za-z0-9_-]{43}$/;

/** The browser's value: the one it has (so sign-ins started in two tabs both finish), or a new one. */
export function browserValue(current: string | undefined): string {
  return current && BROWSER_VALUE.test(current) ? current : randomBytes(32).toString("base64url");
}

/** The Set-Cookie header for `value`: sent to the console only, lasting as long as a sign-in may. */
export function browserCookie(value: string): string {
  const secure = urls().origin.startsWith("https://") ? "; Secure" : "";
  return `${BROWSER_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${PENDING_MS / 1000}${secure}`;
}

function browserHash(value: string): string {
  return box().hash(`upstream-oauth-browser:${value}`);
}

/**
 * Starts a connection as `caller` from the browser holding `browser` (see browserValue): returns the
 * authorization server's URL for that browser.
 */
export async function startConnection(row: ProviderRow, caller: ConnectionCaller, browser: string): Promise<string> {
  const kind = kindOf(row);
  if (isMachine(row)) throw new ApiError("conflict", `${row.name} gets its tokens with the console's own client; there is nothing to connect.`);
  mayManage(kind, caller, row);
  const owner = ownerFor(kind, caller.userId);
  const existing = await db().upstreamConnection.findUnique({ where: { providerId_owner: { providerId: row.id, owner } } });
  const current = existing ? readState(existing) : {};
  const binding = bindingOf(row);
  // The flow keeps its own state; the connection's tokens stay usable, untouched, until it ends.
  // A registration made for these settings is reused.
  const pending: StoredState = { ...(existing?.boundTo === binding && current.client ? { client: current.client } : {}), bound_to: binding, browser: browserHash(browser) };
  const serverUrl = toDocument(row).server_url;
  const challenge = await challengeOf(serverUrl);
  const flowState = randomBytes(32).toString("base64url");
  const client = new ConnectionAuth(pending, clientOptions(row, { onAuthorization: "capture", state: flowState, ignoreStoredTokens: true }));
  // A step-up asks for what the connection has as well as what the server wants now (SEP-2350).
  const granted = existing?.stepUpScope && existing.boundTo === binding ? (current.tokens?.scope ?? current.scope) : undefined;
  const asked = [row.oauthScope, granted, existing?.stepUpScope].filter((scope): scope is string => Boolean(scope)).join(" ");
  const scope = asked ? [...new Set(asked.split(" ").filter(Boolean))].join(" ") : challenge.scope;
  if (scope) pending.scope = scope;
  if (challenge.dpop) pending.dpop_challenge = true;
  try {
    await auth(client, { serverUrl, fetchFn: boundedFetch, ...(scope ? { scope } : {}), ...(challenge.resourceMetadataUrl ? { resourceMetadataUrl: challenge.resourceMetadataUrl } : {}) });
  } catch (error) {
    log.warn({ err: error, providerId: row.id }, "an OAuth connection could not be started");
    throw new ApiError("upstream_error", `Couldn't start signing in to ${row.name} at its authorization server: ${failureAt(error)}.`);
  }
  if (!client.authorizationUrl) throw new ApiError("upstream_error", `${row.name}'s authorization server didn't ask for a sign-in; nothing to connect.`);
  const flow = { pendingEncrypted: sealState(pending), pendingKey: stateKey(flowState), pendingUserId: caller.userId, pendingUntil: new Date(Date.now() + PENDING_MS) };
  try {
    if (existing) {
      const { count } = await db().upstreamConnection.updateMany({ where: { id: existing.id }, data: flow });
      if (count === 0) throw new ApiError("conflict", `${row.name} changed while the sign-in was being prepared; connect again.`);
    } else {
      await db().upstreamConnection.create({
        data: { id: randomUUID(), providerId: row.id, workspaceId: row.workspaceId, owner, userId: kind === "per_user" ? caller.userId : null, stateEncrypted: sealState({}), ...flow },
      });
    }
  } catch (error) {
    // Another Connect for the same owner won the race, or the provider is gone.
    if (error instanceof ApiError) throw error;
    throw new ApiError("conflict", `Another sign-in to ${row.name} started at the same moment, or it was removed; connect again.`);
  }
  return client.authorizationUrl.href;
}

export type FinishedConnection = { providerId: string; error?: string };

/** A state the browser brought back, burnt: it is good for one answer, whoever brings it. */
async function takePending(rawState: string | undefined) {
  const state = rawState?.slice(0, STATE_MAX);
  if (!state) throw new ApiError("validation_failed", "The authorization server sent the browser back without a state; start the connection again.");
  const found = await db().upstreamConnection.findUnique({ where: { pendingKey: stateKey(state) }, include: { provider: true } });
  const gone = () => new ApiError("not_found", "This sign-in isn't one you started here (or it was already used); start the connection again from the provider's page.");
  if (!found) throw gone();
  const { count } = await db().upstreamConnection.updateMany({
    where: { id: found.id, pendingKey: found.pendingKey },
    data: { pendingKey: null, pendingUserId: null, pendingUntil: null, pendingEncrypted: null },
  });
  if (count === 0) throw gone();
  return found;
}

/** A browser came back without a console session: its sign-in is spent all the same. */
export async function abandonConnection(state: string | undefined): Promise<void> {
  await takePending(state).catch(() => undefined);
}

/**
 * The browser is back from the authorization server. The state is burnt first, whoever brings it.
 * Only the user who started the connection, in the browser they started it in (`browser`: its
 * BROWSER_COOKIE), in the workspace it belongs to, can finish it, within ten minutes, for the
 * provider's settings as they were when it started, and from the authorization server it was sent
 * to (RFC 9207 `iss`).
 */
export async function finishConnection(
  query: { state?: string; code?: string; iss?: string; error?: string },
  caller: ConnectionCaller,
  browser: string | undefined,
): Promise<FinishedConnection> {
  const found = await takePending(query.state);
  const pending = readSealed(found.id, found.pendingEncrypted);
  const sameBrowser = Boolean(browser && pending.browser && constantTimeEqual(browserHash(browser), pending.browser));
  if (found.pendingUserId !== caller.userId || found.workspaceId !== caller.workspaceId || !sameBrowser) {
    log.warn({ providerId: found.providerId, userId: caller.userId }, "an OAuth sign-in came back to another user or browser than the one that started it; it was discarded");
    throw new ApiError("not_found", "This sign-in isn't one you started in this browser; it can't be used any more. Start the connection again from the provider's page.");
  }
  const row = found.provider;
  const failed = (error: string): FinishedConnection => ({ providerId: row.id, error });
  if (!found.pendingUntil || found.pendingUntil.getTime() < Date.now()) return failed("The sign-in took longer than ten minutes; connect again.");
  if (query.error || !query.code) {
    // Its code, when it is one; never its error_description (its words, not the console's).
    const code = query.error && /^[a-z_]{1,64}$/.test(query.error) ? query.error : undefined;
    if (code === "access_denied") return failed(`The sign-in to ${row.name} was declined.`);
    return failed(`${row.name}'s authorization server ended the sign-in ${code ? `with ${code}` : "without an authorization code"}; connect again.`);
  }
  const kind = oauthOf(row);
  if (!kind || pending.bound_to !== bindingOf(row)) return failed(`${row.name}'s settings changed during the sign-in; connect again.`);
  if (kind === "shared" && !hasRole(caller.role, "admin")) return failed(`Only owners and admins connect ${row.name} for the workspace.`);
  const metadata = pending.discovery?.authorizationServerMetadata as { issuer?: string; authorization_response_iss_parameter_supported?: boolean } | undefined;
  const issExpected = metadata?.authorization_response_iss_parameter_supported === true;
  if ((query.iss !== undefined || issExpected) && query.iss !== metadata?.issuer) {
    return failed(`The answer came from another authorization server than the one ${row.name} uses; connect again.`);
  }
  const client = new ConnectionAuth(pending, clientOptions(row, { onAuthorization: "refuse", ignoreStoredTokens: true }));
  try {
    await auth(client, { serverUrl: toDocument(row).server_url, authorizationCode: query.code.slice(0, 4096), fetchFn: dpopTokenFetch(pending, boundedFetch) });
  } catch (error) {
    log.warn({ err: error, providerId: row.id }, "an OAuth code exchange failed");
    return failed(`${row.name}'s authorization server didn't complete the sign-in: ${failureAt(error)}. Connect again.`);
  }
  const { verifier: _used, bound_to: _binding, browser: _browser, ...made } = pending;
  // A reconnect replaces a grant: the old one is revoked at the server once the new one is saved.
  const before = await db().upstreamConnection.findUnique({ where: { id: found.id }, select: { stateEncrypted: true, boundTo: true } });
  const replaced = before?.boundTo === bindingOf(row) ? readSealed(found.id, before.stateEncrypted) : {};
  const { count: saved } = await db().upstreamConnection.updateMany({
    where: { id: found.id },
    data: { stateEncrypted: sealState(made), boundTo: bindingOf(row), stepUpScope: null, connectedAt: new Date(), connectedBy: caller.userId, expiresAt: expiresAtOf(made), endedAt: null, endedReason: null, updatedAt: new Date() },
  });
  if (saved === 0) return failed(`${row.name} changed during the sign-in; connect again.`);
  if (replaced.tokens && replaced.tokens.access_token !== made.tokens?.access_token) runAfterResponse("revoke replaced OAuth tokens", () => revokeAtServer(row, replaced));
  log.info({ providerId: row.id, userId: caller.userId, kind }, "an OAuth connection was made");
  return { providerId: row.id };
}

// ── Disconnect, status ───────────────────────────────────────────────────────────────────────

/** The metadata's revocation_endpoint. The SDK's parsed OpenID metadata drops it, so ask the server's own documents. */
async function revocationEndpoint(state: StoredState): Promise<string | undefined> {
  const parsed = (state.discovery?.authorizationServerMetadata as { revocation_endpoint?: string } | undefined)?.revocation_endpoint;
  if (parsed) return parsed;
  const server = state.discovery?.authorizationServerUrl;
  if (!server) return undefined;
  for (const { url } of buildDiscoveryUrls(server)) {
    try {
      const res = await boundedFetch(url, { headers: { accept: "application/json" } });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        continue;
      }
      const endpoint = z.object({ revocation_endpoint: z.url().optional() }).safeParse(await res.json());
      if (endpoint.success && endpoint.data.revocation_endpoint) return endpoint.data.revocation_endpoint;
    } catch {
      // the next document, or none
    }
  }
  return undefined;
}

/** RFC 7009 at the authorization server, when it has an endpoint; a failure doesn't keep the connection. */
async function revokeAtServer(row: ProviderRow, state: StoredState) {
  const endpoint = await revocationEndpoint(state);
  const configured = toDocument(row).authentication;
  const client = configured?.client_id ? { client_id: configured.client_id, client_secret: configured.client_secret } : state.client;
  if (!endpoint || !client || !state.tokens) return;
  for (const [token, hint] of [[state.tokens.refresh_token, "refresh_token"], [state.tokens.access_token, "access_token"]] as const) {
    if (!token) continue;
    const body = new URLSearchParams({ token, token_type_hint: hint });
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (client.client_secret) headers.authorization = basicClientAuthorization(client.client_id, client.client_secret);
    else body.set("client_id", client.client_id);
    const res = await outboundFetch(endpoint, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) }).catch((error: unknown) => {
      log.warn({ err: error, providerId: row.id }, "revoking an OAuth token at the server failed");
      return undefined;
    });
    await res?.body?.cancel().catch(() => undefined);
  }
}

/** Ends a connection: the caller's own, the workspace's (admins), or another user's (admins). */
export async function disconnect(row: ProviderRow, caller: ConnectionCaller, userId?: string): Promise<void> {
  const kind = kindOf(row);
  let owner: string;
  if (userId && userId !== caller.userId) {
    if (!hasRole(caller.role, "admin")) throw new ApiError("forbidden", "Only owners and admins end other users' connections.");
    owner = kind === "shared" ? WORKSPACE_OWNER : userId;
  } else {
    mayManage(kind, caller, row);
    owner = ownerFor(kind, caller.userId);
  }
  const stored = await db().upstreamConnection.findUnique({ where: { providerId_owner: { providerId: row.id, owner } } });
  if (!stored) throw new ApiError("not_found", `There is no connection to ${row.name} to end.`);
  // Gone here at once; the authorization server is told after the response (it may be slow or down).
  await db().upstreamConnection.deleteMany({ where: { id: stored.id } });
  const state = readState(stored);
  runAfterResponse("revoke OAuth tokens", () => revokeAtServer(row, state));
  log.info({ providerId: row.id, userId: caller.userId, owner: owner === WORKSPACE_OWNER ? owner : "user" }, "an OAuth connection was ended");
}

// ── When the person behind a connection loses their place ────────────────────────────────────

export const ENDED_REASONS = ["admin_removed", "admin_demoted"] as const;
export type EndedReason = (typeof ENDED_REASONS)[number];

/** Tokens to revoke at their servers once the change that ended them has committed. */
export type EndedConnection = { row: ProviderRow; state: StoredState };

/**
 * In the transaction that removes `userId` from a workspace (or from every one), or takes their
 * admin role: the workspace's shared connections they made end — a shared connection is their
 * account at the server, run for everyone, and only a current admin may keep one — and, when they
 * leave (`own`), so do their own connections. A shared connection's row stays, without tokens,
 * saying who made it and why it ended, so the provider page can ask an admin to connect again.
 */
export async function endConnectionsOf(tx: DbTransaction, scope: { userId: string; workspaceId?: string }, reason: EndedReason, own: boolean): Promise<EndedConnection[]> {
  const inWorkspace = scope.workspaceId ? { workspaceId: scope.workspaceId } : {};
  const rows = await tx.upstreamConnection.findMany({
    where: { ...inWorkspace, OR: [{ owner: WORKSPACE_OWNER, connectedBy: scope.userId, connectedAt: { not: null } }, ...(own ? [{ userId: scope.userId }] : [])] },
    include: { provider: true },
  });
  const now = new Date();
  for (const row of rows.filter((r) => r.owner === WORKSPACE_OWNER)) {
    const { tokens: _ended, ...rest } = readState(row);
    await tx.upstreamConnection.update({ where: { id: row.id }, data: { stateEncrypted: sealState(rest), connectedAt: null, expiresAt: null, endedAt: now, endedReason: reason, updatedAt: now } });
  }
  if (own) await tx.upstreamConnection.deleteMany({ where: { ...inWorkspace, userId: scope.userId } });
  if (rows.length > 0) log.info({ userId: scope.userId, ended: rows.length, reason }, "OAuth connections ended with their user's access");
  return rows.map((row) => ({ row: row.provider, state: readState(row) }));
}

/** After the transaction: each ended connection's tokens are revoked at its server (RFC 7009), in the background. */
export function revokeEnded(ended: EndedConnection[]): void {
  for (const { row, state } of ended) runAfterResponse("revoke OAuth tokens", () => revokeAtServer(row, state));
}

const personSchema = z.object({ id: z.string(), email: z.string() });

export const connectionStatusSchema = z.object({
  connection: z.enum(["shared", "per_user"]).describe("Whose connection calls use: the workspace's one, or each user's own"),
  connected: z.boolean().describe("Whether calls you make have a connection to use"),
  connected_at: z.iso.datetime().nullable(),
  connected_by: personSchema
    .nullable()
    .describe("Shared connections: the admin whose account at the server everyone's calls use (null: not connected, or their account is gone)"),
  ended: z
    .object({ at: z.iso.datetime(), reason: z.enum(ENDED_REASONS), by: personSchema.nullable() })
    .nullable()
    .describe(
      "Shared connections: the console ended the last one because the admin who made it was removed from the workspace (`admin_removed`) or is no longer an admin (`admin_demoted`); an admin connects again",
    ),
  expires_at: z.iso.datetime().nullable().describe("When the current access token expires; it is refreshed before then"),
  can_connect: z.boolean().describe("Whether you may connect or disconnect it (a shared connection is for owners and admins)"),
  connect_url: z.string().describe("The page where the connection is made"),
});
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;

/** Connected: tokens were stored (connectedAt is set with them and cleared when they go) for these very settings. */
function isConnected(binding: string, stored: { connectedAt: Date | null; boundTo: string | null } | null): boolean {
  return Boolean(stored?.connectedAt && stored.boundTo === binding);
}

export async function connectionStatus(row: ProviderRow, caller: ConnectionCaller): Promise<ConnectionStatus> {
  const kind = kindOf(row);
  const stored = await db().upstreamConnection.findUnique({ where: { providerId_owner: { providerId: row.id, owner: ownerFor(kind, caller.userId) } } });
  const connected = isConnected(bindingOf(row), stored);
  const ended = !connected && stored?.endedAt ? { at: stored.endedAt, reason: z.enum(ENDED_REASONS).catch("admin_removed").parse(stored.endedReason) } : undefined;
  const shownBy = kind === "shared" && (connected || ended) ? stored?.connectedBy : undefined;
  const by = shownBy ? await db().user.findUnique({ where: { id: shownBy }, select: { id: true, email: true } }) : null;
  return {
    connection: kind,
    connected,
    connected_at: connected ? (stored?.connectedAt?.toISOString() ?? null) : null,
    connected_by: connected ? by : null,
    ended: ended ? { at: ended.at.toISOString(), reason: ended.reason, by } : null,
    expires_at: connected ? (stored?.expiresAt?.toISOString() ?? null) : null,
    can_connect: kind === "per_user" || hasRole(caller.role, "admin"),
    connect_url: connectUrl(row.id),
  };
}

export const connectionListSchema = z.object({
  data: z.array(
    z.object({
      user: userRefSchema.nullable().describe("Whose connection; null for the workspace's shared one"),
      connected_by: userRefSchema.nullable(),
      connected_at: z.iso.datetime(),
      expires_at: z.iso.datetime().nullable(),
    }),
  ),
});

/** Who is connected (owners and admins): never a token. */
export async function listConnections(row: ProviderRow, caller: ConnectionCaller) {
  if (!hasRole(caller.role, "admin")) throw new ApiError("forbidden", "Only owners and admins see who is connected.");
  kindOf(row);
  const binding = bindingOf(row);
  const rows = await db().upstreamConnection.findMany({
    where: { providerId: row.id, workspaceId: row.workspaceId, connectedAt: { not: null }, boundTo: binding },
    select: { userId: true, connectedBy: true, connectedAt: true, expiresAt: true },
    orderBy: { connectedAt: "desc" },
    take: 1000,
  });
  const users = await db().user.findMany({ where: { id: { in: rows.flatMap((r) => [r.userId, r.connectedBy].filter((id): id is string => Boolean(id))) } }, select: { id: true, email: true } });
  const byId = new Map(users.map((user) => [user.id, user]));
  return {
    data: rows.map((r) => ({
      user: r.userId ? (byId.get(r.userId) ?? null) : null,
      connected_by: r.connectedBy ? (byId.get(r.connectedBy) ?? null) : null,
      connected_at: (r.connectedAt ?? new Date()).toISOString(),
      expires_at: r.expiresAt?.toISOString() ?? null,
    })),
  };
}
