// The validated environment: the only reader of process.env. Parsed on first use (not at import), so
// `next build` works without secrets, and a misconfigured server stops with one clear message.
import { z } from "zod";
import { parseTrustedProxies } from "@/lib/edge/client-address.mjs";
import { DEFAULT_DATABASE_URL, databaseKind } from "@/prisma/database-url.mjs";

/** How long the gateway holds a server's question to an MCP client (elicitation, sampling, roots) open for its answer: lib/gateway/client-requests.ts. */
export const MAX_CLIENT_QUESTION_SECONDS = 15 * 60;

const booleanFlag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((value) => value === "true" || value === "1");

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value ? value : undefined));

const otlpEndpoint = optionalString.pipe(z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional());
const keyValueList = (example: string) =>
  optionalString.refine((value) => {
    try {
      parseKeyValueList(value);
      return true;
    } catch {
      return false;
    }
  }, `must be a comma-separated list of key=value pairs, such as ${example}`);
const otelExporter = z
  .enum(["otlp", "none", ""], { error: 'must be "otlp" or "none"' })
  .optional()
  .transform((value) => value || undefined);
export const TRACES_SAMPLERS = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"] as const;

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z
      .string()
      .default(DEFAULT_DATABASE_URL)
      .transform((value) => value || DEFAULT_DATABASE_URL)
      .refine((value) => {
        try {
          databaseKind(value);
          return true;
        } catch {
          return false;
        }
      }, "must start with file: (SQLite) or postgresql:// (PostgreSQL)"),
    NEXTAUTH_URL: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:3000"),
    NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)"),
    ENCRYPTION_KEY: z
      .string()
      .refine(
        (value) => decodeKey(value) !== undefined,
        "must be 32 random bytes, base64- or hex-encoded (openssl rand -base64 32)",
      ),
    ENTERPRISE_ENABLED: booleanFlag,
    OIDC_ISSUER: optionalString.pipe(z.url().optional()),
    OIDC_CLIENT_ID: optionalString,
    OIDC_CLIENT_SECRET: optionalString,
    // The console's own API scope at the identity provider (Entra: api://<client id>/<scope>), asked for before an on-behalf-of exchange.
    OIDC_API_SCOPE: optionalString,
    // Link an SSO sign-in to an existing account by an email the provider did not mark verified.
    OIDC_TRUST_UNVERIFIED_EMAIL: booleanFlag,
    // Outgoing mail (invitations, address verification): smtp:// or smtps://user:password@host:port.
    // Unset: no mail is sent, and an invitation's link is shown to the admin who made it.
    SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL" }).optional()),
    // The From of that mail; by default no-reply at NEXTAUTH_URL's host.
    MAIL_FROM: optionalString.pipe(z.email().optional()),
    ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
    ADMIN_PASSWORD: optionalString.pipe(z.string().min(8, "must be at least 8 characters").optional()),
    ENTERPRISE_API_URL: optionalString.pipe(z.url().optional()),
    ENTERPRISE_API_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)").optional()),
    // Where the console's OAuth Client ID Metadata Document is published, when not at
    // {NEXTAUTH_URL}/oauth/client-metadata.json (a console on a private network, whose document an
    // authorization server can't fetch, serves the same document from a public https URL).
    OAUTH_CLIENT_METADATA_URL: optionalString.pipe(z.url({ protocol: /^https$/, error: "must be an https:// URL" }).optional()),
    // An RFC 7523 workload identity token (a JWT the platform keeps fresh in this file, as Kubernetes
    // does for a service account): what providers set to the jwt_bearer grant present.
    WORKLOAD_IDENTITY_TOKEN_FILE: optionalString,
    // Authorization servers (issuers, comma-separated) the workload identity token may be presented to, beside those in its own aud.
    WORKLOAD_IDENTITY_AUDIENCES: optionalString,
    // Private-network MCP servers the console may reach (hosts, host:port, CIDRs); see lib/mcp/address-policy.ts.
    MCP_ALLOWED_HOSTS: optionalString,
    // Web origins whose browser-based MCP clients may call the gateway (CORS), comma-separated; see lib/gateway/origin.ts.
    MCP_CORS_ORIGINS: optionalString.refine((value) => {
      try {
        parseOrigins(value);
        return true;
      } catch {
        return false;
      }
    }, "must be a comma-separated list of origins, such as https://app.example.com, http://localhost:5173"),
    // How long a process may answer a provider list page it read moments ago (0: always read).
    LIST_CACHE_SECONDS: optionalString
      .pipe(z.coerce.number<string | undefined>().int().min(0).max(60).optional())
      .transform((seconds) => seconds ?? 10),
    // How many days the activity log keeps a tool call.
    TOOL_CALL_RETENTION_DAYS: optionalString
      .pipe(z.coerce.number<string | undefined>().int().min(1).max(3650).optional())
      .transform((days) => days ?? 30),
    // How long a call of a tool whose policy is ask waits for its caller's confirmation before it is refused:
    // at most as long as an MCP client's question may be held open (the question is how it is asked).
    TOOL_APPROVAL_TIMEOUT_SECONDS: optionalString
      .pipe(z.coerce.number<string | undefined>().int().min(5).max(MAX_CLIENT_QUESTION_SECONDS).optional())
      .transform((seconds) => seconds ?? 120),
    // A token Prometheus scrapes /metrics with, seeing every workspace's series (an owner's or admin's API token sees its own workspace's).
    METRICS_TOKEN: optionalString.pipe(z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)").optional()),
    // `npm run bench` only: turns on /api/bench/baseline, the Next.js baseline the list API is measured against.
    BENCH_BASELINE: booleanFlag,
    // The reverse proxies in front of the console (IPs or CIDRs): only their X-Forwarded-For is believed.
    TRUSTED_PROXIES: optionalString.refine((value) => {
      try {
        parseTrustedProxies(value);
        return true;
      } catch {
        return false;
      }
    }, "must be a comma-separated list of IP addresses or CIDR ranges, such as 10.0.0.0/8, 127.0.0.1"),
    // OpenTelemetry (lib/observability/), by the standard variables. Traces go to an OTLP/HTTP endpoint
    // when one is set; the activity log goes as OTLP logs only when OTEL_LOGS_EXPORTER=otlp.
    OTEL_SDK_DISABLED: booleanFlag,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpEndpoint,
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: otlpEndpoint,
    // Read only to refuse what the console can't do: it sends OTLP/HTTP (JSON), which collectors take on 4318.
    OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(["http/json", "http/protobuf", ""], { error: "must be http/json: the console sends OTLP over HTTP (a collector's port 4318), not gRPC" }).optional(),
    // Sent with every export (a collector's or a vendor's API key): a secret, never logged.
    OTEL_EXPORTER_OTLP_HEADERS: keyValueList("api-key=…,x-tenant=acme"),
    OTEL_SERVICE_NAME: optionalString.transform((name) => name ?? "mcp-console"),
    OTEL_RESOURCE_ATTRIBUTES: keyValueList("deployment.environment.name=production,service.namespace=mcp"),
    OTEL_TRACES_EXPORTER: otelExporter,
    OTEL_LOGS_EXPORTER: otelExporter,
    OTEL_TRACES_SAMPLER: z.enum([...TRACES_SAMPLERS, ""], { error: `must be one of ${TRACES_SAMPLERS.join(", ")}` }).optional().transform((value) => value || undefined),
    OTEL_TRACES_SAMPLER_ARG: optionalString.pipe(z.coerce.number<string | undefined>().min(0).max(1).optional()),
  })
  .superRefine((env, ctx) => {
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({ code: "custom", path: ["OIDC_ISSUER"], message: "set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together" });
    }
    if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
      ctx.addIssue({ code: "custom", path: ["ADMIN_EMAIL"], message: "set ADMIN_EMAIL and ADMIN_PASSWORD together" });
    }
    if (env.OTEL_LOGS_EXPORTER === "otlp" && !env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT && !env.OTEL_EXPORTER_OTLP_ENDPOINT) {
      ctx.addIssue({ code: "custom", path: ["OTEL_LOGS_EXPORTER"], message: "needs OTEL_EXPORTER_OTLP_LOGS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT" });
    }
    if (env.ENTERPRISE_API_URL && !env.ENTERPRISE_API_SECRET) {
      ctx.addIssue({ code: "custom", path: ["ENTERPRISE_API_SECRET"], message: "is required when ENTERPRISE_API_URL is set" });
    }
  });

export type Env = z.infer<typeof envSchema> & { encryptionKey: Buffer };

export function decodeKey(value: string): Buffer | undefined {
  const trimmed = value.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  return key.length === 32 ? key : undefined;
}

/** `MCP_CORS_ORIGINS` as origins (scheme://host[:port], lowercase); throws on anything else. */
export function parseOrigins(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(",").map((item) => item.trim()).filter(Boolean).map((item) => {
    const url = new URL(item);
    const bare = url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password && !item.endsWith("/");
    if ((url.protocol !== "http:" && url.protocol !== "https:") || !bare) throw new Error(`not an origin: ${item}`);
    return url.origin;
  });
}

/**
 * An OTEL_* list (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES): `key=value` pairs,
 * comma-separated, values percent-encoded (the W3C Baggage form the OpenTelemetry spec names); throws on anything else.
 */
export function parseKeyValueList(value: string | undefined): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const item of (value ?? "").split(",")) {
    if (!item.trim()) continue;
    const at = item.indexOf("=");
    const key = item.slice(0, at).trim();
    if (at < 1 || !key) throw new Error("not a key=value pair");
    pairs[key] = decodeURIComponent(item.slice(at + 1).trim());
  }
  return pairs;
}

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".") || "environment"}: ${issue.message}`);
    throw new EnvError(`Invalid configuration:\n${lines.join("\n")}\nSee .env.example.`);
  }
  const encryptionKey = decodeKey(result.data.ENCRYPTION_KEY);
  if (!encryptionKey) throw new EnvError("Invalid configuration:\n  ENCRYPTION_KEY: must be 32 random bytes\nSee .env.example.");
  return { ...result.data, encryptionKey };
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests switch configurations (enterprise on/off) without restarting the process. */
export function resetEnvForTests() {
  cached = undefined;
}
