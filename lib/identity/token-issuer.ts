// The one seam the runtime mints per-user tokens through. The built-in issuer runs in-process
// unless ENTERPRISE_API_URL names a remote one (which speaks the SPEC §5 contract).
import "server-only";
import { env } from "@/lib/env";
import { BuiltinIssuer } from "@/lib/identity/builtin-issuer";
import { RemoteIssuer } from "@/lib/identity/remote-issuer";
import type { TokenIssuer } from "@/lib/identity/types";

let override: TokenIssuer | undefined;

export function tokenIssuer(): TokenIssuer {
  if (override) return override;
  const { ENTERPRISE_API_URL, ENTERPRISE_API_SECRET } = env();
  return ENTERPRISE_API_URL && ENTERPRISE_API_SECRET ? new RemoteIssuer(ENTERPRISE_API_URL, ENTERPRISE_API_SECRET) : new BuiltinIssuer();
}

/** True when the built-in issuer mints from this console's own SSO sessions (no remote or stand-in issuer). */
export function issuesLocally(): boolean {
  return !override && !env().ENTERPRISE_API_URL;
}

/** Tests count or replace issuer calls at this seam. */
export function setTokenIssuerForTests(issuer: TokenIssuer | undefined) {
  override = issuer;
}
