// The identity modes: the one list that validation, storage, runtime and UI read. What each mode
// carries and how it is described lives in lib/credentials/ (one strategy per mode).
import { z } from "zod";

/**
 * - `idp_token`: a refresh grant at the SSO provider with RFC 8707 `resource` = the MCP server.
 * - `token_exchange`: RFC 8693 token exchange at the SSO provider (or Microsoft Entra's on-behalf-of).
 * - `id_jag`: an Identity Assertion JWT Authorization Grant from the SSO provider, redeemed at the
 *   MCP server's own authorization server (RFC 7523 jwt-bearer).
 */
export const IDENTITY_MODES = ["off", "idp_token", "token_exchange", "id_jag"] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];
/** The modes that forward the user's identity. */
export type ForwardingMode = Exclude<IdentityMode, "off">;

export const identityModeSchema = z.enum(IDENTITY_MODES);

/**
 * How a stored mode reads: one of the modes, or "unsupported" for a value this version doesn't
 * know (written by a newer console, or damaged). An unsupported mode keeps forwarding on and
 * fails closed — it never turns into "off", which would send the provider's shared credentials.
 */
export const STORED_IDENTITY_MODES = [...IDENTITY_MODES, "unsupported"] as const;
export type StoredIdentityMode = (typeof STORED_IDENTITY_MODES)[number];

export function parseStoredIdentityMode(stored: string): StoredIdentityMode {
  const parsed = identityModeSchema.safeParse(stored);
  return parsed.success ? parsed.data : "unsupported";
}

/** Forwarding happens only when the provider asks for it and the deployment is enterprise-enabled. */
export function isForwardingActive(mode: StoredIdentityMode, enterpriseEnabled: boolean): boolean {
  return enterpriseEnabled && mode !== "off";
}

// ── What a mode needs besides its name: the provider's `identity_settings` ─────────────────────

/** RFC 8693 §3 token types the console can offer as the subject: the user's SSO access token or ID token. */
export const SUBJECT_TOKEN_TYPES = ["access_token", "id_token"] as const;
export type SubjectTokenType = (typeof SUBJECT_TOKEN_TYPES)[number];

/** token_exchange: standard RFC 8693, or Microsoft Entra's on-behalf-of flow (a jwt-bearer grant). */
export const EXCHANGE_PROFILES = ["rfc8693", "entra_obo"] as const;
export type ExchangeProfile = (typeof EXCHANGE_PROFILES)[number];

/** The subject token a mode sends when the provider doesn't say: ID-JAGs are minted from ID tokens. */
export function defaultSubjectToken(mode: "token_exchange" | "id_jag"): SubjectTokenType {
  return mode === "id_jag" ? "id_token" : "access_token";
}

// ── How each mode is offered: one home for these words (the provider form, the features answer, the strategies) ──

export const IDENTITY_MODE_LABELS: Record<IdentityMode, string> = {
  off: "Off — the provider's own credentials",
  idp_token: "SSO token for this server (refresh grant)",
  token_exchange: "Token exchange (RFC 8693, or Entra on-behalf-of)",
  id_jag: "Enterprise-Managed Authorization (ID-JAG)",
};

/** One line per mode on what it needs from the identity provider. */
export const IDENTITY_MODE_NEEDS: Record<IdentityMode, string> = {
  off: "Nothing from an identity provider: calls carry the provider's headers or its OAuth connection.",
  idp_token: "SSO sign-in, and an identity provider that issues tokens for this server's URL as an RFC 8707 resource on a refresh grant.",
  token_exchange: "An identity provider that exchanges the user's SSO token for a token for this server (RFC 8693, e.g. Keycloak, Okta, Ping), or Microsoft Entra on-behalf-of.",
  id_jag:
    "An identity provider that issues ID-JAGs for this server (Enterprise-Managed Authorization, e.g. Okta Cross-App Access), and the console's client registered at the server's authorization server.",
};
