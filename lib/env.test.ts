import { describe, expect, it } from "vitest";
import { MAX_CLIENT_QUESTION_SECONDS, parseEnv, parseKeyValueList } from "@/lib/env";
import { DEFAULT_DATABASE_URL } from "@/prisma/database-url.mjs";

const valid = { NEXTAUTH_SECRET: "x".repeat(32), ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") };

describe("parseEnv", () => {
  it("applies the defaults", () => {
    const env = parseEnv(valid);
    expect(env.DATABASE_URL).toBe(DEFAULT_DATABASE_URL);
    expect(env.ENTERPRISE_ENABLED).toBe(false);
    expect(env.encryptionKey).toHaveLength(32);
    expect(parseEnv({ ...valid, ENTERPRISE_ENABLED: "true" }).ENTERPRISE_ENABLED).toBe(true);
    expect(parseEnv({ ...valid, ENCRYPTION_KEY: "ab".repeat(32) }).encryptionKey).toHaveLength(32);
    expect(parseEnv(valid).LIST_CACHE_SECONDS).toBe(10);
    expect(parseEnv({ ...valid, LIST_CACHE_SECONDS: "" }).LIST_CACHE_SECONDS).toBe(10);
    expect(parseEnv({ ...valid, LIST_CACHE_SECONDS: "0" }).LIST_CACHE_SECONDS).toBe(0);
    expect(parseEnv(valid).TOOL_CALL_RETENTION_DAYS).toBe(30);
    expect(parseEnv({ ...valid, TOOL_CALL_RETENTION_DAYS: "7" }).TOOL_CALL_RETENTION_DAYS).toBe(7);
    expect(parseEnv(valid).TOOL_APPROVAL_TIMEOUT_SECONDS).toBe(120);
    expect(parseEnv({ ...valid, TOOL_APPROVAL_TIMEOUT_SECONDS: String(MAX_CLIENT_QUESTION_SECONDS) }).TOOL_APPROVAL_TIMEOUT_SECONDS).toBe(900);
    expect(parseEnv({ ...valid, SMTP_URL: "" }).SMTP_URL).toBeUndefined();
    expect(parseEnv({ ...valid, METRICS_TOKEN: "" }).METRICS_TOKEN).toBeUndefined();
    expect(parseEnv({ ...valid, SMTP_URL: "smtps://user:pass@mail.example:465" }).SMTP_URL).toBe("smtps://user:pass@mail.example:465");
  });

  it.each([
    [{ ...valid, ENCRYPTION_KEY: "short" }, "ENCRYPTION_KEY"],
    [{ ...valid, NEXTAUTH_SECRET: "" }, "NEXTAUTH_SECRET"],
    [{ ...valid, DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ ...valid, OIDC_ISSUER: "https://idp.example" }, "OIDC_ISSUER"],
    [{ ...valid, ADMIN_EMAIL: "a@b.c" }, "ADMIN_EMAIL"],
    [{ ...valid, ENTERPRISE_API_URL: "https://issuer.example" }, "ENTERPRISE_API_SECRET"],
    [{ ...valid, ENTERPRISE_ENABLED: "yes" }, "ENTERPRISE_ENABLED"],
    [{ ...valid, SMTP_URL: "https://mail.example" }, "SMTP_URL"],
    [{ ...valid, MAIL_FROM: "not an address" }, "MAIL_FROM"],
    [{ ...valid, ENTERPRISE_API_URL: "https://issuer.example", ENTERPRISE_API_SECRET: "short-secret" }, "ENTERPRISE_API_SECRET"],
    [{ ...valid, ENTERPRISE_API_SECRET: "x".repeat(31) }, "ENTERPRISE_API_SECRET"],
    [{ ...valid, METRICS_TOKEN: "x".repeat(31) }, "METRICS_TOKEN"],
    [{ ...valid, TRUSTED_PROXIES: "the load balancer" }, "TRUSTED_PROXIES"],
    [{ ...valid, LIST_CACHE_SECONDS: "a while" }, "LIST_CACHE_SECONDS"],
    [{ ...valid, LIST_CACHE_SECONDS: "3600" }, "LIST_CACHE_SECONDS"],
    [{ ...valid, TOOL_CALL_RETENTION_DAYS: "0" }, "TOOL_CALL_RETENTION_DAYS"],
    // Longer than the gateway holds a client's question open: the confirmation could never come.
    [{ ...valid, TOOL_APPROVAL_TIMEOUT_SECONDS: String(MAX_CLIENT_QUESTION_SECONDS + 1) }, "TOOL_APPROVAL_TIMEOUT_SECONDS"],
    [{ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }, "OTEL_EXPORTER_OTLP_ENDPOINT"],
    [{ ...valid, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "grpc://collector:4317" }, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"],
    [{ ...valid, OTEL_LOGS_EXPORTER: "otlp" }, "OTEL_LOGS_EXPORTER"],
    [{ ...valid, OTEL_TRACES_EXPORTER: "zipkin" }, "OTEL_TRACES_EXPORTER"],
    [{ ...valid, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, "OTEL_EXPORTER_OTLP_PROTOCOL"],
    [{ ...valid, OTEL_EXPORTER_OTLP_HEADERS: "just-a-key" }, "OTEL_EXPORTER_OTLP_HEADERS"],
    [{ ...valid, OTEL_RESOURCE_ATTRIBUTES: "=nameless" }, "OTEL_RESOURCE_ATTRIBUTES"],
    [{ ...valid, OTEL_TRACES_SAMPLER: "jaeger_remote" }, "OTEL_TRACES_SAMPLER"],
    [{ ...valid, OTEL_TRACES_SAMPLER_ARG: "1.5" }, "OTEL_TRACES_SAMPLER_ARG"],
  ])("names what is wrong: %j", (source, name) => {
    expect(() => parseEnv(source)).toThrow(new RegExp(`${name}:`));
  });
});

describe("OpenTelemetry settings", () => {
  it("is off unless an endpoint is set; the activity log goes only when OTEL_LOGS_EXPORTER=otlp", () => {
    const env = parseEnv(valid);
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(env.OTEL_LOGS_EXPORTER).toBeUndefined();
    expect(env.OTEL_SERVICE_NAME).toBe("mcp-console");
    const withLogs = parseEnv({ ...valid, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "https://siem.example/v1/logs", OTEL_LOGS_EXPORTER: "otlp", OTEL_TRACES_EXPORTER: "none" });
    expect(withLogs).toMatchObject({ OTEL_LOGS_EXPORTER: "otlp", OTEL_TRACES_EXPORTER: "none" });
    expect(parseEnv({ ...valid, OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" })).toMatchObject({ OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: 0.25 });
  });

  it("reads key=value lists as the spec writes them: comma-separated, values percent-encoded", () => {
    expect(parseKeyValueList("api-key=a%3Db%2Cc, x-tenant = acme ,")).toEqual({ "api-key": "a=b,c", "x-tenant": "acme" });
    expect(parseKeyValueList(undefined)).toEqual({});
    expect(() => parseKeyValueList("no-value")).toThrow();
  });
});
