// The console as an OAuth client of an MCP server's authorization server, on the MCP SDK's client
// auth (`auth()` does discovery, registration, PKCE, the code exchange and refresh). This class is
// only the storage the SDK asks for and what happens at the redirect; where the state lives is the
// caller's: the console keeps it encrypted per connection (./connections.ts), the conformance
// command in memory (scripts/conformance/client.ts).
import type { AddClientAuthentication, OAuthClientProvider, OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { DpopKey } from "@/lib/upstream-oauth/dpop";
import { machineTokenRequest, privateKeyJwtAuthentication, type MachineGrant } from "@/lib/upstream-oauth/machine-grants";

/**
 * SEP-837 / OpenID Connect Registration: the console is a web application — its redirect URI is a
 * page of the console's own origin, not a native app's loopback or custom scheme.
 */
export const APPLICATION_TYPE = "web";

/** Everything one connection keeps between requests. Tokens carry the time they were saved. */
export type AuthState = {
  tokens?: OAuthTokens & { saved_at?: number };
  client?: OAuthClientInformationMixed;
  discovery?: OAuthDiscoveryState;
  verifier?: string;
  /** The connection's DPoP key pair, made once a token request was DPoP-bound (./dpop.ts). */
  dpop?: DpopKey;
};

export type ClientOptions = {
  /** Where the authorization server sends the browser back to. */
  redirectUrl: string;
  clientName: string;
  /** A Client ID Metadata Document's URL (https only; the SDK refuses anything else). */
  clientMetadataUrl?: string;
  /** A client an admin registered with the authorization server. */
  configuredClient?: { client_id: string; client_secret?: string };
  /** The `state` parameter of the authorization request this flow starts. */
  state?: string;
  /**
   * What happens when the SDK needs the user at the authorization server: "capture" keeps the URL
   * (a Connect button, a headless test); "refuse" throws — a call made for a user never starts a
   * sign-in on its own.
   */
  onAuthorization: "capture" | "refuse";
  /** Start over: stored tokens are not offered to the SDK (a reconnect, a step-up). */
  ignoreStoredTokens?: boolean;
  /** Tokens the console gets on its own (./machine-grants.ts): no redirect, no person. */
  machineGrant?: MachineGrant;
};

/**
 * The authorization server's metadata names another issuer than the server it was discovered at
 * (RFC 8414 §3.3): a mix-up. Refused as discovery is saved, before any of its endpoints is used.
 */
export class IssuerMismatch extends Error {
  constructor(readonly issuer: string) {
    super("the authorization server's metadata names another issuer");
  }
}

/**
 * RFC 8414 §3.3: the metadata's issuer is the URL it was discovered for (a trailing slash aside),
 * when that URL is an issuer a protected resource named. A 2025-03-26 server publishes no resource
 * metadata: discovery starts from its own origin, which names no issuer, and the metadata found
 * there says which it is (the callback's `iss` is then checked against that).
 */
export function assertSameIssuer(state: OAuthDiscoveryState): void {
  if (!state.resourceMetadata) return;
  const issuer = state.authorizationServerMetadata?.issuer;
  if (issuer !== undefined && !sameIssuer(state.authorizationServerUrl, issuer)) throw new IssuerMismatch(issuer);
}

/** Whether the issuer a resource named and the one its metadata declares are the same (a trailing slash aside). */
export function sameIssuer(named: string, declared: string): boolean {
  return named.replace(/\/+$/, "") === declared.replace(/\/+$/, "");
}

/** A call needed the user at the authorization server; only a Connect can do that. */
export class AuthorizationRequired extends Error {
  constructor() {
    super("the connection has to be made again at the server's authorization server");
  }
}

export class ConnectionAuth implements OAuthClientProvider {
  /** The URL the user must visit, once the SDK asked for one ("capture"). */
  authorizationUrl?: URL;
  /** private_key_jwt, for a machine grant's client with a key (otherwise the SDK authenticates the client). */
  readonly addClientAuthentication?: AddClientAuthentication;

  constructor(
    readonly stored: AuthState,
    private readonly options: ClientOptions,
  ) {
    if (options.machineGrant) this.addClientAuthentication = privateKeyJwtAuthentication(options.machineGrant);
  }

  /** None for a machine grant: the SDK then asks prepareTokenRequest for the grant instead of sending anyone anywhere. */
  get redirectUrl(): string | undefined {
    return this.options.machineGrant ? undefined : this.options.redirectUrl;
  }

  async prepareTokenRequest(): Promise<URLSearchParams | undefined> {
    if (!this.options.machineGrant) return undefined;
    const discovery = this.stored.discovery;
    return machineTokenRequest(this.options.machineGrant, discovery?.authorizationServerMetadata?.issuer ?? discovery?.authorizationServerUrl);
  }

  get clientMetadataUrl(): string | undefined {
    return this.options.configuredClient ? undefined : this.options.clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata & { application_type: string } {
    // No default scope: the server's challenge or its scopes_supported decide (an admin's scope is
    // passed to auth() explicitly).
    return {
      client_name: this.options.clientName,
      application_type: APPLICATION_TYPE,
      redirect_uris: [this.options.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: this.authMethod(),
    };
  }

  /** A public client (PKCE, no secret to keep) where the authorization server allows one. */
  private authMethod(): string {
    if (this.options.configuredClient) return this.options.configuredClient.client_secret ? "client_secret_basic" : "none";
    const supported = this.stored.discovery?.authorizationServerMetadata?.token_endpoint_auth_methods_supported;
    if (!supported || supported.includes("none")) return "none";
    return supported.includes("client_secret_basic") ? "client_secret_basic" : supported[0];
  }

  state(): string {
    // The SDK asks for a state right before it starts an authorization.
    if (this.options.onAuthorization === "refuse") throw new AuthorizationRequired();
    if (!this.options.state) throw new Error("no state for this authorization");
    return this.options.state;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.options.configuredClient ?? this.stored.client;
  }

  saveClientInformation(information: OAuthClientInformationMixed): void {
    // A configured client is the admin's, not ours to replace.
    if (!this.options.configuredClient) this.stored.client = information;
  }

  tokens(): OAuthTokens | undefined {
    return this.options.ignoreStoredTokens ? undefined : this.stored.tokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    // A refresh may not return a new refresh token (no rotation): keep the one we had.
    const refreshToken = tokens.refresh_token ?? this.stored.tokens?.refresh_token;
    const lifetime = tokenLifetime(tokens.expires_in);
    this.stored.tokens = { ...tokens, ...(refreshToken ? { refresh_token: refreshToken } : {}), expires_in: lifetime, saved_at: Date.now() };
    if (lifetime === undefined) delete this.stored.tokens.expires_in;
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    if (this.options.onAuthorization === "refuse") throw new AuthorizationRequired();
    this.authorizationUrl = authorizationUrl;
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.stored.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.stored.verifier) throw new Error("no authorization is pending for this connection");
    return this.stored.verifier;
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    if (scope === "all" || scope === "client") delete this.stored.client;
    if (scope === "all" || scope === "tokens") delete this.stored.tokens;
    if (scope === "all" || scope === "verifier") delete this.stored.verifier;
    if (scope === "all" || scope === "discovery") delete this.stored.discovery;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    // Before the SDK registers there, or sends anyone to it.
    assertSameIssuer(state);
    this.stored.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.stored.discovery;
  }
}

const MAX_LIFETIME_SECONDS = 365 * 24 * 3600;

/** The server's `expires_in`, as a lifetime a date can hold: none, or 0 to a year. */
function tokenLifetime(expiresIn: number | undefined): number | undefined {
  if (expiresIn === undefined) return undefined;
  return Number.isFinite(expiresIn) ? Math.min(Math.max(expiresIn, 0), MAX_LIFETIME_SECONDS) : MAX_LIFETIME_SECONDS;
}

/** How long before its expiry a token is refreshed: a minute, or a fifth of its lifetime when that is shorter. */
export function refreshMargin(tokens: AuthState["tokens"]): number {
  return Math.min(60_000, ((tokens?.expires_in ?? 0) * 1000) / 5);
}

/** When the access token stops being usable (ms), if the server said. */
export function tokenExpiry(tokens: AuthState["tokens"]): number | undefined {
  if (tokens?.expires_in === undefined || !tokens.saved_at) return undefined;
  return tokens.saved_at + tokens.expires_in * 1000;
}
