// An Identity Assertion JWT Authorization Grant (ID-JAG, draft-ietf-oauth-identity-assertion-authz-grant;
// the MCP extension io.modelcontextprotocol/enterprise-managed-authorization) as the console's
// authorization server checks one: RFC 7521 §5.2 and RFC 7523 §3, plus the profile's own rules —
// explicitly typed, signed by the trusted identity provider, for this authorization server, naming
// the client that presents it and one MCP endpoint. Every refusal says what was wrong, so the
// developer of the agent platform can fix it; nothing here touches the database.
import { errors as joseErrors, decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";

/** The JWT `typ` an ID-JAG carries (RFC 8725 §3.11 explicit typing). */
export const ID_JAG_TYP = "oauth-id-jag+jwt";
/** What authorization server metadata lists in `authorization_grant_profiles_supported`. */
export const ID_JAG_GRANT_PROFILE = "urn:ietf:params:oauth:grant-profile:id-jag";

/** Longer than any ID-JAG an identity provider issues; checked before anything is decoded. */
export const MAX_ASSERTION_LENGTH = 8192;
/** How far apart the identity provider's clock and ours may be. */
export const CLOCK_SKEW_SECONDS = 30;
/** An ID-JAG is short-lived (minutes); its jti is remembered until it expires, so a longer one is refused. */
export const MAX_LIFETIME_SECONDS = 60 * 60;
const MAX_CLAIM_LENGTH = 1024;
// Asymmetric only: the identity provider's public keys are all the console has.
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];

/** An OAuth error (RFC 6749 §5.2) for the token endpoint to answer with. */
export class IdJagRefusal extends Error {
  constructor(
    readonly error: "invalid_request" | "invalid_grant" | "invalid_target" | "invalid_scope" | "unauthorized_client" | "temporarily_unavailable",
    readonly description: string,
  ) {
    super(description);
  }
}

export type IdJagClaims = { sub: string; jti: string; exp: number; resource: string; scope?: string };

export type IdJagExpectations = {
  /** The SSO provider's issuer: the only one trusted. */
  issuer: string;
  /** Its signing keys (fetched only for an assertion that gets that far). */
  signingKeys: () => Promise<JWTVerifyGetKey>;
  /** This authorization server's issuer. */
  audience: string;
  /** The client that authenticated this token request. */
  clientId: string;
  /** Whether a resource is one of this server's MCP endpoints. */
  isResource: (resource: string) => boolean;
  now?: Date;
};

const refuse = (why: string) => new IdJagRefusal("invalid_grant", `The assertion (ID-JAG) was refused: ${why}`);

function typOf(assertion: string): string {
  let typ: unknown;
  try {
    typ = decodeProtectedHeader(assertion).typ;
  } catch {
    throw refuse("it is not a signed JWT (three base64url parts: header, claims, signature)");
  }
  if (typeof typ !== "string") throw refuse(`its JWT header has no typ; an ID-JAG's typ is ${ID_JAG_TYP}`);
  return typ.toLowerCase().replace(/^application\//, "");
}

function fromJose(error: unknown, expected: IdJagExpectations): IdJagRefusal {
  if (error instanceof IdJagRefusal) return error;
  if (error instanceof joseErrors.JWTExpired) return refuse(error.claim === "iat" ? `it was issued more than ${MAX_LIFETIME_SECONDS} seconds ago (iat)` : "it has expired (exp); get a fresh ID-JAG from the identity provider");
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return refuse(`its issuer (iss) is not the console's SSO provider, ${expected.issuer}`);
      case "aud":
        return refuse(`its audience (aud) is not this authorization server, ${expected.audience}; ask the identity provider for an ID-JAG with audience=${expected.audience}`);
      case "iat":
        return refuse("it was issued in the future (iat); check the identity provider's clock");
      case "nbf":
        return refuse("it is not valid yet (nbf)");
      default:
        return refuse(`its ${error.claim} claim is missing or malformed (an ID-JAG carries iss, sub, aud, client_id, jti, exp and iat)`);
    }
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return refuse(`it is signed with an algorithm the console doesn't accept (one of ${ALGORITHMS.join(", ")})`);
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return refuse(`its signature doesn't verify with the keys of ${expected.issuer}`);
  if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) return refuse(`no key of ${expected.issuer} matches its kid and alg`);
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
    return new IdJagRefusal("temporarily_unavailable", "The console couldn't get the identity provider's signing keys to check the assertion; try again shortly");
  }
  if (error instanceof joseErrors.JOSEError) return refuse("it is not a well-formed signed JWT");
  // A network failure fetching the keys (fetch throws a TypeError).
  if (error instanceof TypeError) return new IdJagRefusal("temporarily_unavailable", "The console couldn't reach the identity provider for its signing keys; try again shortly");
  throw error;
}

function boundedString(payload: JWTPayload, claim: string): string | undefined {
  const value = payload[claim];
  return typeof value === "string" && value.length > 0 && value.length <= MAX_CLAIM_LENGTH ? value : undefined;
}

/** The one MCP endpoint an ID-JAG names: `resource` as a string, or an array of exactly one. */
function resourceOf(payload: JWTPayload, expected: IdJagExpectations): string {
  const value = payload.resource;
  const resource = Array.isArray(value) && value.length === 1 ? (value[0] as unknown) : value;
  if (resource === undefined) throw refuse("it names no resource; ask the identity provider for an ID-JAG with resource set to the console's /mcp endpoint (or /mcp/{server_identifier})");
  if (typeof resource !== "string" || resource.length > MAX_CLAIM_LENGTH) throw refuse("its resource must be one URL");
  if (!expected.isResource(resource)) throw new IdJagRefusal("invalid_target", `The assertion's resource, ${resource.slice(0, 200)}, is not an MCP endpoint of this console (/mcp or /mcp/{server_identifier})`);
  return resource;
}

/**
 * Checks an ID-JAG against what this authorization server expects, and returns the claims it
 * grants on. Throws IdJagRefusal (an OAuth error to answer with); anything else is a fault here.
 */
export async function verifyIdJag(assertion: string, expected: IdJagExpectations): Promise<IdJagClaims> {
  if (assertion.length > MAX_ASSERTION_LENGTH) throw new IdJagRefusal("invalid_request", `The assertion is longer than ${MAX_ASSERTION_LENGTH} characters; an ID-JAG is a short JWT`);
  const typ = typOf(assertion);
  if (typ !== ID_JAG_TYP) throw refuse(`its JWT header's typ is ${typ.slice(0, 60)}, not ${ID_JAG_TYP}: only an ID-JAG is accepted here, not an ID token or another JWT`);
  const now = expected.now ?? new Date();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(assertion, await expected.signingKeys(), {
      issuer: expected.issuer,
      audience: expected.audience,
      algorithms: ALGORITHMS,
      clockTolerance: CLOCK_SKEW_SECONDS,
      maxTokenAge: MAX_LIFETIME_SECONDS,
      currentDate: now,
      requiredClaims: ["sub", "jti", "exp", "iat", "client_id"],
    }));
  } catch (error) {
    throw fromJose(error, expected);
  }
  const { exp = 0, iat = 0 } = payload;
  if (exp - iat > MAX_LIFETIME_SECONDS) throw refuse(`it lives longer than ${MAX_LIFETIME_SECONDS} seconds (exp - iat); ID-JAGs are short-lived`);
  const sub = boundedString(payload, "sub");
  const jti = boundedString(payload, "jti");
  if (!sub) throw refuse("its subject (sub) is missing or malformed");
  if (!jti) throw refuse("its jti is missing or malformed");
  if (payload.client_id !== expected.clientId) {
    throw new IdJagRefusal("invalid_grant", "The assertion (ID-JAG) was refused: it was issued to another client (client_id), not the one authenticating this request; the identity provider must name this client's client_id at the console");
  }
  const resource = resourceOf(payload, expected);
  const scope = payload.scope === undefined ? undefined : boundedString(payload, "scope");
  if (payload.scope !== undefined && scope === undefined) throw refuse("its scope must be a space-separated string");
  return { sub, jti, exp, resource, ...(scope ? { scope } : {}) };
}
