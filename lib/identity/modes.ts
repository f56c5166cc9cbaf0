// The identity modes: the one list that validation, storage, runtime and UI read.
// Adding RFC 8693 token exchange later means adding "token_exchange" here and its runtime branch.
import { z } from "zod";

export const IDENTITY_MODES = ["off", "idp_token"] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];

export const identityModeSchema = z.enum(IDENTITY_MODES);

/** Forwarding happens only when the provider asks for it and the deployment is enterprise-enabled. */
export function isForwardingActive(mode: string, enterpriseEnabled: boolean): boolean {
  return enterpriseEnabled && mode !== "off";
}
