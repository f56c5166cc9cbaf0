import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
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
  ])("names what is wrong: %j", (source, name) => {
    expect(() => parseEnv(source)).toThrow(new RegExp(`${name}:`));
  });
});
