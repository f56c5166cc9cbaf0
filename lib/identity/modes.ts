// The identity modes: the one list that validation, storage, runtime and UI read.
// Adding RFC 8693 token exchange later means adding "token_exchange" here and its runtime branch.
import { z } from "zod";

export const IDENTITY_MODES = ["off", "idp_token"] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];

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
