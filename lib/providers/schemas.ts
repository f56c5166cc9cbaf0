// The provider contract: one set of zod schemas for the API handlers, the form and the OpenAPI document.
// The create schema holds the defaults; the patch schema is written for JSON Merge Patch and has
// none (zod's .partial() would re-apply defaults and overwrite what the client left out).
import { createPrivateKey } from "node:crypto";
import { z } from "zod";
import { pageQueryFields } from "@/lib/api/paging";
import { EXCHANGE_PROFILES, identityModeSchema, STORED_IDENTITY_MODES, SUBJECT_TOKEN_TYPES } from "@/lib/identity/modes";
import { HEADER_NAME, HEADER_VALUE, isForbiddenHeader } from "@/lib/providers/header-rules";

export const LIMITS = {
  nameMax: 40,
  identifierMax: 24,
  urlMax: 2048,
  headersMax: 32,
  headerNameMax: 256,
  headerValueMax: 8192,
  timeout: { min: 1, max: 600, default: 30 },
  sseReadTimeout: { min: 1, max: 3600, default: 300 },
  toolNameMax: 128,
  disabledToolsMax: 1000,
} as const;

export const nameSchema = z
  .string({ error: "Name is required" })
  .trim()
  .min(1, "Name is required")
  .max(LIMITS.nameMax, `Name must be at most ${LIMITS.nameMax} characters`)
  .meta({ examples: ["Linear"] });

export const serverIdentifierSchema = z
  .string({ error: "Server identifier is required" })
  .min(1, "Server identifier is required")
  .max(LIMITS.identifierMax, `At most ${LIMITS.identifierMax} characters`)
  .regex(/^[a-z0-9_-]*$/, "Use only lowercase letters, digits, - or _")
  .meta({ examples: ["linear"] });

/** "Linear Issues (EU)" → "linear-issues-eu": what the identifier field suggests from a name. */
export function identifierFrom(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, LIMITS.identifierMax)
    .replace(/-+$/, "");
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

export const serverUrlSchema = z
  .string({ error: "Server URL is required" })
  .trim()
  .min(1, "Server URL is required")
  .max(LIMITS.urlMax, `URL must be at most ${LIMITS.urlMax} characters`)
  .refine(isHttpUrl, "Enter an absolute http:// or https:// URL")
  .meta({ examples: ["https://mcp.linear.app/mcp"] });

const emojiIconSchema = z.strictObject({
  type: z.literal("emoji"),
  content: z.string().trim().min(1, "Pick an emoji").max(16, "One emoji, please"),
  background: z.string().regex(/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/, "Use a hex colour such as #EEF"),
});

const urlIconSchema = z.strictObject({
  type: z.literal("url"),
  url: z.string().max(LIMITS.urlMax).refine(isHttpUrl, "Enter an absolute http:// or https:// URL"),
});

export const iconSchema = z.discriminatedUnion("type", [emojiIconSchema, urlIconSchema]);

export const headerNameSchema = z
  .string()
  .max(LIMITS.headerNameMax, `Header names must be at most ${LIMITS.headerNameMax} characters`)
  .regex(HEADER_NAME, "Header names are letters, digits and !#$%&'*+-.^_`|~")
  .refine((name) => !isForbiddenHeader(name), "The HTTP client and the MCP transport set this header; a provider can't");

export const headerValueSchema = z
  .string()
  .max(LIMITS.headerValueMax, `Header values must be at most ${LIMITS.headerValueMax} characters`)
  .trim()
  .regex(HEADER_VALUE, "Header values are plain ASCII: letters, digits, punctuation and spaces (no line breaks or control characters)");

function distinctIgnoringCase(headers: Record<string, unknown>): boolean {
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  return new Set(names).size === names.length;
}

export const headersSchema = z
  .record(headerNameSchema, headerValueSchema)
  .refine((headers) => Object.keys(headers).length <= LIMITS.headersMax, `At most ${LIMITS.headersMax} headers`)
  .refine(distinctIgnoringCase, "Header names must be distinct (they are case-insensitive)");

/** "shared": an admin connects once for the workspace; "per_user": each user connects their own account. */
export const OAUTH_CONNECTIONS = ["shared", "per_user"] as const;
export type OAuthConnectionKind = (typeof OAUTH_CONNECTIONS)[number];

const oauthConnectionSchema = z
  .enum(OAUTH_CONNECTIONS, { error: 'Use "shared" (one connection for the workspace) or "per_user" (each user connects their own account)' })
  .describe('"shared": an admin connects once and every call uses that grant; "per_user": each user connects, and a user without a connection gets connection_required');

const clientIdSchema = z.string().trim().min(1, "Client ID can't be empty; leave it out to let the console register itself").max(255, "Client ID must be at most 255 characters");
const clientSecretSchema = z.string().min(1, "Client secret can't be empty").max(1024, "Client secret must be at most 1024 characters");
// RFC 6749 §3.3: space-separated tokens of printable ASCII without " or \.
export const scopeSchema = z
  .string()
  .trim()
  .max(1000, "Scope must be at most 1000 characters")
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, "Scopes are space-separated words of printable ASCII (no quotes or backslashes)");

/**
 * How the console gets a token: "authorization_code" (a person connects; the default),
 * "client_credentials" (the console's own client, machine to machine), "jwt_bearer" (RFC 7523: the
 * deployment's workload identity token, WORKLOAD_IDENTITY_TOKEN_FILE, as the grant). The machine
 * grants act for nobody in particular: they need the shared connection and a client_id.
 */
export const OAUTH_GRANTS = ["authorization_code", "client_credentials", "jwt_bearer"] as const;
export type OAuthGrant = (typeof OAUTH_GRANTS)[number];
const oauthGrantSchema = z
  .enum(OAUTH_GRANTS, { error: 'Use "authorization_code" (a person connects), "client_credentials" or "jwt_bearer" (machine to machine)' })
  .describe('"authorization_code" (default): a person connects; "client_credentials": the console\'s own client (machine to machine); "jwt_bearer": the deployment\'s workload identity token (RFC 7523)');

// What private_key_jwt can sign with here (ES256/384/512 by curve, RS256): a key saved that can't
// sign would fail every token request later, blamed on the authorization server.
const SIGNING_CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);
/** A PKCS#8 PEM private key of a kind a JWS can be signed with. */
function isSigningKey(pem: string): boolean {
  // The provider form runs these schemas in the browser, which has no key parser: there only the
  // PEM's label is checked, and the API, parsing the key itself, puts any refusal back on the field.
  if (typeof window !== "undefined" || typeof createPrivateKey !== "function") return true;
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType === "rsa") return true;
    return key.asymmetricKeyType === "ec" && SIGNING_CURVES.has(key.asymmetricKeyDetails?.namedCurve ?? "");
  } catch {
    return false;
  }
}
const privateKeySchema = z
  .string()
  .max(16_384, "A private key is at most 16 KiB of PEM")
  .refine((pem) => pem.includes("-----BEGIN PRIVATE KEY-----") && isSigningKey(pem), "Paste a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----): RSA, or EC on P-256, P-384 or P-521");

export const authenticationSchema = z
  .strictObject({
    type: z.literal("oauth", { error: 'type is "oauth" (remove authentication for none)' }),
    connection: oauthConnectionSchema,
    grant_type: oauthGrantSchema.optional(),
    client_id: clientIdSchema.optional().describe("A client registered with the server's authorization server; without one the console identifies itself (Client ID Metadata Document) or registers (RFC 7591)"),
    client_secret: clientSecretSchema.optional().describe("Only with client_id, for a confidential client"),
    private_key: privateKeySchema.optional().describe("Only with client_id, instead of a secret: the client authenticates with a JWT signed with this key (private_key_jwt, RFC 7523 §2.2)"),
    scope: scopeSchema.optional().describe("Scopes to ask for; without it, the server's challenge or its scopes_supported decide"),
  })
  .refine((auth) => !auth.client_secret || auth.client_id, { path: ["client_secret"], error: "A client secret needs its client ID" })
  .refine((auth) => !auth.private_key || auth.client_id, { path: ["private_key"], error: "A private key needs its client ID" })
  .refine((auth) => !auth.private_key || !auth.client_secret, { path: ["private_key"], error: "Use a client secret or a private key, not both" })
  .refine((auth) => isInteractive(auth.grant_type) || auth.client_id, { path: ["client_id"], error: "A machine-to-machine grant needs the client ID registered for the console" })
  .refine((auth) => isInteractive(auth.grant_type) || auth.connection === "shared", { path: ["connection"], error: 'A machine-to-machine grant acts for nobody in particular: use the "shared" connection' })
  .refine((auth) => auth.grant_type !== "client_credentials" || auth.client_secret || auth.private_key, { path: ["client_secret"], error: "The client_credentials grant needs a client secret or a private key" });

/** Whether a person connects (authorization_code), or the console gets tokens on its own. */
export function isInteractive(grant: OAuthGrant | undefined): boolean {
  return grant === undefined || grant === "authorization_code";
}
export type Authentication = z.output<typeof authenticationSchema>;

// What token_exchange and id_jag need besides the mode (SPEC §10). Stored whatever the mode; read only by the mode that uses it.
const subjectTokenTypeSchema = z
  .enum(SUBJECT_TOKEN_TYPES, { error: 'Use "access_token" or "id_token"' })
  .describe("token_exchange, id_jag: which of the user's fresh SSO tokens is exchanged (default: access_token for token_exchange, id_token for id_jag)");
const exchangeProfileSchema = z
  .enum(EXCHANGE_PROFILES, { error: 'Use "rfc8693" or "entra_obo"' })
  .describe('token_exchange: "rfc8693" (default) or "entra_obo", Microsoft Entra\'s on-behalf-of flow, which needs `scope`');

/** The settings without the client secret: what is stored in clear. */
export const publicIdentitySettingsSchema = z.strictObject({
  subject_token_type: subjectTokenTypeSchema.optional(),
  profile: exchangeProfileSchema.optional(),
  scope: scopeSchema.optional().describe("token_exchange: the scope to ask for (entra_obo: the server's, e.g. api://…/.default)"),
  client_id: clientIdSchema.optional().describe("id_jag: the console's client at the MCP server's authorization server"),
});

export const identitySettingsSchema = publicIdentitySettingsSchema
  .extend({ client_secret: clientSecretSchema.optional().describe("id_jag: that client's secret (encrypted at rest, masked in responses)") })
  .refine((settings) => !settings.client_secret || settings.client_id, { path: ["client_secret"], error: "A client secret needs its client ID" });
export type IdentitySettings = z.output<typeof identitySettingsSchema>;

/** What a mode can't work without: checked on the whole document, after a merge. */
function identitySettingsComplete(doc: { identity_mode: string; identity_settings?: IdentitySettings }, ctx: z.core.$RefinementCtx) {
  const settings = doc.identity_settings ?? {};
  if (doc.identity_mode === "token_exchange" && settings.profile === "entra_obo" && !settings.scope) {
    ctx.addIssue({ code: "custom", path: ["identity_settings", "scope"], message: "On-behalf-of needs the server's scope, e.g. api://<server app id>/.default" });
  }
  if (doc.identity_mode === "id_jag" && !settings.client_id) {
    ctx.addIssue({ code: "custom", path: ["identity_settings", "client_id"], message: "An ID-JAG is redeemed by a client registered at the server's authorization server: enter its client ID" });
  }
}

const timeoutSchema = z
  .int("Use whole seconds")
  .min(LIMITS.timeout.min, `Between ${LIMITS.timeout.min} and ${LIMITS.timeout.max} seconds`)
  .max(LIMITS.timeout.max, `Between ${LIMITS.timeout.min} and ${LIMITS.timeout.max} seconds`);

const sseReadTimeoutSchema = z
  .int("Use whole seconds")
  .min(LIMITS.sseReadTimeout.min, `Between ${LIMITS.sseReadTimeout.min} and ${LIMITS.sseReadTimeout.max} seconds`)
  .max(LIMITS.sseReadTimeout.max, `Between ${LIMITS.sseReadTimeout.min} and ${LIMITS.sseReadTimeout.max} seconds`);

export const configurationSchema = z.strictObject({
  timeout: timeoutSchema.default(LIMITS.timeout.default),
  sse_read_timeout: sseReadTimeoutSchema.default(LIMITS.sseReadTimeout.default),
});

export const toolNameSchema = z
  .string()
  .min(1, "A tool name is required")
  .max(LIMITS.toolNameMax, `Tool names are at most ${LIMITS.toolNameMax} characters`)
  .refine((name) => !Array.from(name).some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f), "Tool names have no control characters");

const toolNamesSchema = z
  .array(toolNameSchema)
  .max(LIMITS.disabledToolsMax, `At most ${LIMITS.disabledToolsMax} tools`)
  .transform((names) => [...new Set(names)].sort())
  .default([]);

/** Which discovered tools agents may use, and which only once the caller confirms. Names are kept sorted and distinct. */
export const toolPolicySchema = z
  .strictObject({
    disabled: toolNamesSchema.describe("Tools agents may not use (deny): absent from the gateway's lists and refused by every call path"),
    ask: toolNamesSchema.describe("Tools whose every call waits until the calling user confirms it (ask): in their MCP client when it can be asked, else in the console"),
  })
  .superRefine((policy, ctx) => {
    const both = policy.ask.filter((name) => policy.disabled.includes(name));
    if (both.length > 0) ctx.addIssue({ code: "custom", path: ["ask"], message: `A tool is either turned off or asks first, not both: ${both.slice(0, 3).join(", ")}` });
  });
export type ToolPolicy = z.output<typeof toolPolicySchema>;

/** What the activity log keeps of this provider's calls besides who, what and how it ended: nothing unless an admin turns it on. */
export const activityRecordingSchema = z
  .strictObject({
    arguments: z.boolean().default(false).describe("Keep each call's arguments (secrets redacted, size capped)"),
    results: z.boolean().default(false).describe("Keep each call's result (secrets redacted, size capped)"),
  })
  .describe("What the activity log records of calls to this provider beyond who, which tool and how it ended; off unless an admin turns it on");

export const createProviderSchema = z
  .strictObject({
    name: nameSchema,
    server_identifier: serverIdentifierSchema,
    server_url: serverUrlSchema,
    icon: iconSchema.optional(),
    headers: headersSchema.optional(),
    authentication: authenticationSchema.optional(),
    configuration: configurationSchema.default({
      timeout: LIMITS.timeout.default,
      sse_read_timeout: LIMITS.sseReadTimeout.default,
    }),
    identity_mode: identityModeSchema.default("off"),
    identity_settings: identitySettingsSchema.optional(),
    tool_policy: toolPolicySchema.default({ disabled: [], ask: [] }),
    activity_recording: activityRecordingSchema.default({ arguments: false, results: false }),
  })
  .superRefine(identitySettingsComplete);

export type CreateProviderInput = z.input<typeof createProviderSchema>;
/** A provider's full editable state with secrets in clear: what a merge patch is applied to. */
export type ProviderDocument = z.output<typeof createProviderSchema>;

// JSON Merge Patch (RFC 7396): every field optional; null removes an optional field or a map
// entry; no defaults. The merged result is then validated with createProviderSchema.
export const providerPatchSchema = z.strictObject({
  name: nameSchema.optional(),
  server_identifier: serverIdentifierSchema.optional(),
  server_url: serverUrlSchema.optional(),
  icon: z
    .strictObject({
      type: z.enum(["emoji", "url"]).optional(),
      content: z.string().nullable().optional(),
      background: z.string().nullable().optional(),
      url: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  headers: z
    .record(headerNameSchema, headerValueSchema.nullable())
    .refine((headers) => Object.keys(headers).length <= LIMITS.headersMax * 2, "Too many header changes")
    .refine(distinctIgnoringCase, "Header names must be distinct (they are case-insensitive)")
    .nullable()
    .optional(),
  authentication: z
    .strictObject({
      type: z.literal("oauth").optional(),
      connection: oauthConnectionSchema.optional(),
      client_id: clientIdSchema.nullable().optional(),
      client_secret: clientSecretSchema.nullable().optional(),
      grant_type: oauthGrantSchema.nullable().optional(),
      private_key: privateKeySchema.nullable().optional(),
      scope: scopeSchema.nullable().optional(),
    })
    .nullable()
    .optional(),
  configuration: z
    .strictObject({
      timeout: timeoutSchema.optional(),
      sse_read_timeout: sseReadTimeoutSchema.optional(),
    })
    .optional(),
  identity_mode: identityModeSchema.optional(),
  identity_settings: z
    .strictObject({
      subject_token_type: subjectTokenTypeSchema.nullable().optional(),
      profile: exchangeProfileSchema.nullable().optional(),
      scope: scopeSchema.nullable().optional(),
      client_id: clientIdSchema.nullable().optional(),
      client_secret: clientSecretSchema.nullable().optional(),
    })
    .nullable()
    .optional(),
  // A list is replaced whole (RFC 7396 merges objects, not arrays).
  tool_policy: z.strictObject({ disabled: z.array(toolNameSchema).max(LIMITS.disabledToolsMax).optional(), ask: z.array(toolNameSchema).max(LIMITS.disabledToolsMax).optional() }).optional(),
  activity_recording: z.strictObject({ arguments: z.boolean().optional(), results: z.boolean().optional() }).optional(),
});

export type ProviderPatch = z.infer<typeof providerPatchSchema>;

export const providerIdSchema = z.strictObject({ id: z.uuid() });

export const listProvidersQuerySchema = z.strictObject({
  ...pageQueryFields,
  q: z.string().trim().max(100).optional(),
});

/** Why a discovery failed, in one word a screen can explain. */
export const DISCOVERY_FAILURES = ["unauthorized", "identity", "unreachable", "blocked", "timeout", "protocol"] as const;
export type DiscoveryFailure = (typeof DISCOVERY_FAILURES)[number];

export const discoverySchema = z
  .object({
    status: z.enum(["unknown", "pending", "ok", "failed"]).describe('"pending": a discovery is running (after a create or a URL change)'),
    failure: z.enum(DISCOVERY_FAILURES).nullable(),
    message: z.string().nullable().describe("What went wrong, in words an admin can act on"),
    checked_at: z.iso.datetime().nullable(),
  })
  .describe("The last discovery everyone sees");
export type Discovery = z.infer<typeof discoverySchema>;

export const connectionCheckSchema = z
  .object({
    ok: z.boolean().describe("The server listed its tools for you"),
    tools_count: z.int().nullable(),
    failure: z.enum(DISCOVERY_FAILURES).nullable(),
    message: z.string().nullable().describe("What went wrong, in words an admin can act on"),
    checked_at: z.iso.datetime(),
  })
  .describe("What the server said to a tools/list with these settings, as you; nothing is saved");
export type ConnectionCheck = z.infer<typeof connectionCheckSchema>;

// What the API returns. Secrets are masked; see lib/providers/masking.ts.
export const providerSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  server_identifier: z.string(),
  server_url: z.string().describe("Scheme and host only; the path and query are hidden"),
  icon: iconSchema.nullable(),
  headers: z.record(z.string(), z.string()).describe("Header values are masked"),
  authentication: z
    .object({
      type: z.literal("oauth"),
      connection: z.enum(OAUTH_CONNECTIONS),
      client_id: z.string().nullable(),
      client_secret: z.string().nullable().describe("Masked"),
      grant_type: z.enum(OAUTH_GRANTS),
      private_key: z.string().nullable().describe("Masked"),
      scope: z.string().nullable(),
    })
    .nullable()
    .describe("OAuth to the server (tokens are never shown; see the provider's connection)"),
  configuration: z.object({ timeout: z.int(), sse_read_timeout: z.int() }),
  identity_mode: z
    .enum(STORED_IDENTITY_MODES)
    .describe('"unsupported": the stored mode is not one this console knows; calls fail until an admin picks a mode'),
  identity_forwarding_active: z.boolean(),
  identity_settings: z
    .object({
      subject_token_type: z.enum(SUBJECT_TOKEN_TYPES).nullable(),
      profile: z.enum(EXCHANGE_PROFILES).nullable(),
      scope: z.string().nullable(),
      client_id: z.string().nullable(),
      client_secret: z.string().nullable().describe("Masked"),
    })
    .nullable()
    .describe("What token_exchange and id_jag need besides the mode; null when none is set"),
  tool_policy: z.object({ disabled: z.array(z.string()), ask: z.array(z.string()) }),
  activity_recording: z.object({ arguments: z.boolean(), results: z.boolean() }).describe("What the activity log records of calls beyond who, which tool and how it ended"),
  authed: z.boolean(),
  tools_count: z.int(),
  tools_fetched_at: z.iso.datetime().nullable(),
  discovery: discoverySchema,
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  version: z.int(),
});

export type Provider = z.infer<typeof providerSchema>;

/** A PATCH that moved the server (another origin; for OAuth secrets, another path) says which stored secrets it dropped. */
export const patchedProviderSchema = providerSchema.extend({
  dropped_secrets: z
    .array(z.string())
    .optional()
    .describe("Secrets removed because server_url moved to another origin (headers), or origin or path (OAuth secrets), and they were not sent again, e.g. headers.X-Api-Key"),
});

export const providerListSchema = z.object({
  data: z.array(providerSchema),
  next_cursor: z.string().nullable(),
});
