// The one place that decides what a call to a provider's server carries (SPEC §5, §9, §10), used
// by every path — REST tool calls, Try it, the gateway's relay and workspace endpoint, discovery
// and Test connection. The choice is read from the row (nothing decrypted); each kind is a
// strategy of its own file behind one interface (types.ts).
import "server-only";
import { ApiError } from "@/lib/api/errors";
import { idJagStrategy } from "@/lib/credentials/id-jag";
import { forwardingStrategy } from "@/lib/credentials/forwarded";
import { idpTokenStrategy } from "@/lib/credentials/idp-token";
import { oauthStrategy } from "@/lib/credentials/oauth";
import { staticHeadersStrategy } from "@/lib/credentials/static-headers";
import { targetOf } from "@/lib/credentials/target";
import { tokenExchangeStrategy } from "@/lib/credentials/token-exchange";
import type { Connection, CredentialStrategy, EndUser } from "@/lib/credentials/types";
import { env } from "@/lib/env";
import { IdentityError, identityApiError } from "@/lib/identity/errors";
import { isForwardingActive, parseStoredIdentityMode } from "@/lib/identity/modes";
import type { McpCallError } from "@/lib/mcp/client";
import { identityClientSecret, identitySettingsOf, oauthOf, type ProviderRow } from "@/lib/providers/record";

/** Whether calls to this provider carry the user's identity (read from the row: nothing is decrypted). */
export function forwards(row: Pick<ProviderRow, "identityMode">): boolean {
  return isForwardingActive(parseStoredIdentityMode(row.identityMode), env().ENTERPRISE_ENABLED);
}

/** What the activity log records for a call to `row`, before (or without) a credential: the mode, "oauth" or "off". */
export function credentialLabel(row: Pick<ProviderRow, "identityMode" | "authType" | "oauthConnection">): string {
  return forwards(row) ? parseStoredIdentityMode(row.identityMode) : oauthOf(row) ? "oauth" : "off";
}

// Rows come from the list cache (the same object until the provider changes): a row's strategy —
// its URL and headers decrypted, its settings read — is made once, and again only if the
// deployment's enterprise switch moved.
const strategies = new WeakMap<ProviderRow, { enterprise: boolean; strategy: CredentialStrategy }>();

/** The strategy for calls to `row`. */
export function strategyFor(row: ProviderRow): CredentialStrategy {
  const enterprise = env().ENTERPRISE_ENABLED;
  const made = strategies.get(row);
  if (made?.enterprise === enterprise) return made.strategy;
  const strategy = chooseStrategy(row);
  strategies.set(row, { enterprise, strategy });
  return strategy;
}

/**
 * With forwarding active, the identity mode's strategy — and only that: a provider can't be both
 * (SPEC §9); a mode this version doesn't know fails closed. Otherwise the OAuth connection's, or
 * the provider's own headers.
 */
function chooseStrategy(row: ProviderRow): CredentialStrategy {
  const target = targetOf(row);
  if (forwards(row)) {
    const mode = parseStoredIdentityMode(row.identityMode);
    switch (mode) {
      case "idp_token":
        return idpTokenStrategy(target);
      case "token_exchange":
        return tokenExchangeStrategy(target, identitySettingsOf(row));
      case "id_jag":
        return idJagStrategy(target, identitySettingsOf(row), () => identityClientSecret(row));
      default:
        return forwardingStrategy("unsupported", target, undefined, "A mode this console doesn't know: calls fail until an admin picks another.");
    }
  }
  const oauth = oauthOf(row);
  return oauth ? oauthStrategy(row, target, oauth) : staticHeadersStrategy(target);
}

function limitsOf(row: ProviderRow) {
  return { timeoutMs: row.timeout * 1000, sseReadTimeoutMs: row.sseReadTimeout * 1000 };
}

/** Identity failures as the API error the user sees; everything else as it was. */
function asApiError(error: unknown, row: ProviderRow): unknown {
  return error instanceof IdentityError ? identityApiError(error, row.name) : error;
}

/** The connection for talking to this provider as `user`: its credential and limits. Failures are API errors. */
export async function connectionFor(row: ProviderRow, user: EndUser | undefined): Promise<Connection> {
  try {
    return { ...(await strategyFor(row).credential(user)), ...limitsOf(row) };
  } catch (error) {
    throw asApiError(error, row);
  }
}

/** The connection without a wait, when the strategy has its credential at hand; undefined when connectionFor must work it out. */
export function connectionNow(row: ProviderRow, user: EndUser | undefined): Connection | undefined {
  try {
    const credential = strategyFor(row).credentialNow?.(user);
    return credential && { ...credential, ...limitsOf(row) };
  } catch {
    // A failure is a miss: connectionFor meets it again, and says it in the user's words.
    return undefined;
  }
}

/**
 * After the server refused `connection` (401/403), before acting on anything: what the strategy
 * says — a fresh connection to try once more, undefined (the refusal stands), or the ApiError
 * thrown that says what to do instead. Never other credentials.
 */
export async function retryAfterRefusal(row: ProviderRow, user: EndUser | undefined, connection: Connection, status: number | undefined, attempt: number): Promise<Connection | undefined> {
  try {
    const next = await strategyFor(row).afterRefusal(connection, status, attempt, user);
    return next && { ...next, ...limitsOf(row) };
  } catch (error) {
    throw asApiError(error, row);
  }
}

export function upstreamApiError(error: McpCallError, row: Pick<ProviderRow, "name">, forwarded: boolean): ApiError {
  switch (error.failure) {
    case "unauthorized":
      return new ApiError(
        "upstream_unauthorized",
        forwarded
          ? `${row.name} refused your identity token (${error.status}). Nothing was retried with other credentials; sign in with SSO again or ask an admin to check the server's audience.`
          : `${row.name} refused the provider's credentials (${error.status}). An admin should check its headers.`,
      );
    case "timeout":
      return new ApiError("upstream_timeout", `${row.name} did not answer within its timeout.`);
    default:
      return new ApiError("upstream_error", `Couldn't talk to ${row.name}: ${error.message}.`);
  }
}
