// The registered names the test IdP, the MCP server's authorization server and their tests share:
// RFC 8693 token exchange, RFC 7523 jwt-bearer, and the Identity Assertion JWT Authorization Grant
// (draft-ietf-oauth-identity-assertion-authz-grant, used by the MCP extension
// io.modelcontextprotocol/enterprise-managed-authorization).
export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
export const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
export const ID_JAG_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id-jag";

/** The JWT `typ` header an ID-JAG must carry (RFC 8725 explicit typing). */
export const ID_JAG_TYP = "oauth-id-jag+jwt";
/** What an authorization server lists in `authorization_grant_profiles_supported` when it accepts ID-JAGs. */
export const ID_JAG_GRANT_PROFILE = "urn:ietf:params:oauth:grant-profile:id-jag";
