import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";

const valid = { NEXTAUTH_SECRET: "x".repeat(32), ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") };

describe("parseEnv", () => {
  it("applies the defaults", () => {
    const env = parseEnv(valid);
    expect(env.DATABASE_URL).toBe("file:./data/mcp-console.db");
    expect(env.ENTERPRISE_ENABLED).toBe(false);
    expect(env.encryptionKey).toHaveLength(32);
    expect(parseEnv({ ...valid, ENTERPRISE_ENABLED: "true" }).ENTERPRISE_ENABLED).toBe(true);
    expect(parseEnv({ ...valid, ENCRYPTION_KEY: "ab".repeat(32) }).encryptionKey).toHaveLength(32);
  });

  it.each([
    [{ ...valid, ENCRYPTION_KEY: "short" }, "ENCRYPTION_KEY"],
    [{ ...valid, NEXTAUTH_SECRET: "" }, "NEXTAUTH_SECRET"],
    [{ ...valid, DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ ...valid, OIDC_ISSUER: "https://idp.example" }, "OIDC_ISSUER"],
    [{ ...valid, ADMIN_EMAIL: "a@b.c" }, "ADMIN_EMAIL"],
    [{ ...valid, ENTERPRISE_API_URL: "https://issuer.example" }, "ENTERPRISE_API_SECRET"],
    [{ ...valid, ENTERPRISE_ENABLED: "yes" }, "ENTERPRISE_ENABLED"],
    [{ ...valid, ENTERPRISE_API_URL: "https://issuer.example", ENTERPRISE_API_SECRET: "short-secret" }, "ENTERPRISE_API_SECRET"],
    [{ ...valid, ENTERPRISE_API_SECRET: "x".repeat(31) }, "ENTERPRISE_API_SECRET"],
    [{ ...valid, TRUSTED_PROXIES: "the load balancer" }, "TRUSTED_PROXIES"],
  ])("names what is wrong: %j", (source, name) => {
    expect(() => parseEnv(source)).toThrowError(new RegExp(`${name}:`));
  });
});
