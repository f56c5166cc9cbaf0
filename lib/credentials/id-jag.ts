// id_jag — Enterprise-Managed Authorization (MCP extension
// io.modelcontextprotocol/enterprise-managed-authorization; IETF Identity Assertion JWT
// Authorization Grant): the token issuer exchanges the user's SSO token at the SSO provider for an
// ID-JAG whose audience is the server's authorization server and whose resource is the server; the
// console redeems it there with an RFC 7523 jwt-bearer grant, as the client registered for it on
// the provider, for the access token the call carries. The ID-JAG is used once and never cached;
// the access token is cached like every forwarded token.
import "server-only";
import { discoverAuthorizationServerMetadata, discoverOAuthProtectedResourceMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
import { checkResourceAllowed } from "@modelcontextprotocol/sdk/shared/auth-utils.js";
import { forwardingStrategy, type Minter } from "@/lib/credentials/forwarded";
import type { Target } from "@/lib/credentials/target";
import type { CredentialStrategy, EndUser } from "@/lib/credentials/types";
import { fieldsOf } from "@/lib/fields";
import { IdentityError } from "@/lib/identity/errors";
import { errorCodeShown, JWT_BEARER_GRANT } from "@/lib/identity/grants";
import { basicClientAuthorization, UNSTATED_LIFETIME_SECONDS } from "@/lib/identity/idp";
import { defaultSubjectToken } from "@/lib/identity/modes";
import { tokenIssuer } from "@/lib/identity/token-issuer";
import type { IssuedToken } from "@/lib/identity/types";
import { log } from "@/lib/log";
import { resourceOfUrl } from "@/lib/mcp/resource";
import type { IdentitySettings } from "@/lib/providers/schemas";
import { sameIssuer } from "@/lib/upstream-oauth/client-provider";
import { boundedFetch } from "@/lib/upstream-oauth/connections";

export type AuthorizationServer = { issuer: string; tokenEndpoint: string };

const missing = (why: string) => new IdentityError("metadata_missing", why);

/** The server's authorization server, from its RFC 9728 metadata and then that server's RFC 8414 metadata. */
export async function authorizationServerOf(serverUrl: string, fetchFn: typeof fetch = boundedFetch): Promise<AuthorizationServer> {
  // The SDK's discovery reads a network failure as "no metadata here": it is told apart, as a server that couldn't be reached.
  let unreachable = false;
  const watched: typeof fetch = (input, init) =>
    fetchFn(input, init).catch((error: unknown) => {
      unreachable = true;
      throw error;
    });
  const failed = (why: string) => () => {
    throw unreachable ? new IdentityError("token_error", "the server or its authorization server could not be reached for its metadata") : missing(why);
  };
  // Never the query string: it often holds a key.
  const resource = resourceOfUrl(serverUrl);
  const published = await discoverOAuthProtectedResourceMetadata(resource, {}, watched).catch(failed("it publishes no OAuth protected-resource metadata (RFC 9728) naming its authorization server"));
  // RFC 9728 §3.3: metadata for another resource is not this server's word.
  if (!checkResourceAllowed({ requestedResource: resource, configuredResource: published.resource })) throw missing("its protected-resource metadata (RFC 9728) is for another resource");
  const named = published.authorization_servers?.[0];
  if (!named) throw missing("its protected-resource metadata names no authorization server");
  const metadata = await discoverAuthorizationServerMetadata(named, { fetchFn: watched }).catch(failed("its authorization server's metadata (RFC 8414) can't be read"));
  if (!metadata) failed("its authorization server publishes no metadata (RFC 8414)")();
  // RFC 8414 §3.3: metadata that names another issuer is a mix-up — the ID-JAG (made for that
  // issuer) and the client's secret would go to whoever published it.
  if (!metadata || !sameIssuer(named, metadata.issuer)) throw missing("its authorization server's metadata (RFC 8414) names another issuer than the one the server named");
  if (!metadata.token_endpoint) throw missing("its authorization server's metadata (RFC 8414) has no token endpoint");
  if (metadata.grant_types_supported && !metadata.grant_types_supported.includes(JWT_BEARER_GRANT)) {
    throw missing("its authorization server doesn't accept jwt-bearer grants, so it can't take an ID-JAG");
  }
  return { issuer: metadata.issuer, tokenEndpoint: metadata.token_endpoint };
}

export type IdJagClient = { clientId: string; clientSecret?: string };

/** RFC 7523 §2.1 at the server's authorization server: the ID-JAG as the assertion, the registered client authenticated (client_secret_basic). */
export async function redeemIdJag(server: AuthorizationServer, client: IdJagClient, idJag: string, fetchFn: typeof fetch = boundedFetch): Promise<IssuedToken> {
  const body = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion: idJag });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  if (client.clientSecret) headers.authorization = basicClientAuthorization(client.clientId, client.clientSecret);
  else body.set("client_id", client.clientId);
  let res: Response;
  try {
    res = await fetchFn(server.tokenEndpoint, { method: "POST", headers, body });
  } catch {
    throw new IdentityError("token_error", "the server's authorization server is unreachable");
  }
  const answer = fieldsOf(await res.json().catch(() => undefined));
  if (!res.ok) {
    log.warn({ status: res.status, error: typeof answer.error === "string" ? answer.error : undefined }, "an authorization server refused an ID-JAG");
    if (res.status < 500 && typeof answer.error === "string") throw new IdentityError("assertion_refused", errorCodeShown(answer.error, res.status));
    throw new IdentityError("token_error", `the server's authorization server answered ${res.status}`);
  }
  const { access_token, expires_in, token_type } = answer;
  if (typeof access_token !== "string" || access_token === "" || (expires_in !== undefined && !(typeof expires_in === "number" && expires_in > 0))) {
    throw new IdentityError("token_error", "the server's authorization server sent a malformed token response");
  }
  // Only a bearer token can be sent as one: the redemption carries no DPoP proof, so a DPoP-bound token has no key to prove.
  if (typeof token_type === "string" && token_type.toLowerCase() !== "bearer") throw new IdentityError("token_error", `the server's authorization server sent a ${token_type.slice(0, 20)} token, not a bearer token`);
  return { token: access_token, expiresAt: Math.floor(Date.now() / 1000) + (typeof expires_in === "number" ? expires_in : UNSTATED_LIFETIME_SECONDS) };
}

export function idJagStrategy(target: Target, settings: Omit<IdentitySettings, "client_secret">, clientSecret: () => string | undefined): CredentialStrategy {
  const subjectTokenType = settings.subject_token_type ?? defaultSubjectToken("id_jag");
  const minter: Minter = {
    variant: JSON.stringify(["id_jag", subjectTokenType, settings.client_id ?? ""]),
    async mint({ userId, workspaceId }: EndUser, resource: string) {
      if (!settings.client_id) throw new IdentityError("token_error", "no client is registered for the server's authorization server");
      const server = await authorizationServerOf(target.serverUrl);
      const idJag = await tokenIssuer().issue({ userId, workspaceId, audience: server.issuer, resource, mode: "id_jag", subjectTokenType });
      return redeemIdJag(server, { clientId: settings.client_id, clientSecret: clientSecret() }, idJag.token);
    },
  };
  return forwardingStrategy(
    "id_jag",
    target,
    minter,
    "An identity provider that issues ID-JAGs for this server (Enterprise-Managed Authorization, e.g. Okta Cross-App Access), and the console's client registered at the server's authorization server.",
  );
}
