// What a preflight ("Check as me") shows: the strategy that applies to a user's calls, its
// audience, what it needs, and the decoded claims of the credential the next call would carry —
// never the credential itself — or the reason it can't be had. Getting the credential may ask the
// identity provider or an authorization server for a token; nothing reaches the MCP server.
import "server-only";
import { decodeJwt } from "jose";
import { ApiError } from "@/lib/api/errors";
import { connectionFor, strategyFor } from "@/lib/credentials/connection";
import type { CredentialDescription, EndUser } from "@/lib/credentials/types";
import type { ProviderRow } from "@/lib/providers/record";

const SHOWN_CLAIMS = ["iss", "sub", "aud", "azp", "client_id", "scope", "exp", "iat"] as const;

export type CredentialClaims = Partial<Record<(typeof SHOWN_CLAIMS)[number], unknown>>;

export type Preflight = CredentialDescription & {
  /** The claims of the bearer token the next call would carry, when it is a JWT; null otherwise. */
  claims: CredentialClaims | null;
  /** Why no credential can be had for this user, in the words a call would fail with; null when one can. */
  error: { code: string; message: string } | null;
};

/** The claims a JWT access token (Bearer or DPoP) says it carries (its signature isn't checked: this is only shown). */
export function shownClaims(authorization: string | undefined): CredentialClaims | null {
  const token = /^(?:Bearer|DPoP) (.+)$/.exec(authorization ?? "")?.[1];
  if (!token) return null;
  try {
    const payload = decodeJwt(token);
    return Object.fromEntries(SHOWN_CLAIMS.filter((name) => payload[name] !== undefined).map((name) => [name, payload[name]]));
  } catch {
    return null; // an opaque token: nothing to show but that it exists
  }
}

export async function preflightCredential(row: ProviderRow, user: EndUser): Promise<Preflight> {
  const description = await strategyFor(row).describe();
  try {
    const connection = await connectionFor(row, user);
    // The provider's own headers are an admin's secret, not the user's credential: nothing of them is shown.
    const own = connection.forwarded || connection.oauth !== undefined;
    return { ...description, claims: own ? shownClaims(connection.headers.Authorization) : null, error: null };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { ...description, claims: null, error: { code: error.code, message: error.detail } };
  }
}
