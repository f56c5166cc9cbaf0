import { describe, expect, it } from "vitest";
import { OAUTH_POLICY, pagePolicy, securityHeaders } from "@/lib/edge/security-headers.mjs";

describe("security headers", () => {
  it("give pages a nonce policy that forbids framing, and API answers a policy that allows nothing", () => {
    const page = securityHeaders({ kind: "page", nonce: "abc" });
    expect(page["content-security-policy"]).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(page["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(page["content-security-policy"]).not.toContain("unsafe-eval");
    expect(securityHeaders({ kind: "api" })["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    for (const headers of [page, securityHeaders({ kind: "api" })]) {
      expect(headers).toMatchObject({ "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY" });
      expect(headers["permissions-policy"]).toContain("camera=()");
    }
  });

  it("give the authorization server's answers a script-src that admits nothing until a hash is added", () => {
    // oidc-provider appends its form_post script's hash to script-src; 'strict-dynamic' alone admits no script.
    expect(OAUTH_POLICY).toContain("script-src 'strict-dynamic'");
    expect(OAUTH_POLICY).not.toMatch(/'self'|unsafe/);
    expect(OAUTH_POLICY).toContain("default-src 'none'");
  });

  it("send HSTS only over https", () => {
    expect(securityHeaders({ kind: "page", nonce: "n" })["strict-transport-security"]).toBeUndefined();
    expect(securityHeaders({ kind: "page", nonce: "n", https: true })["strict-transport-security"]).toMatch(/^max-age=\d+/);
  });

  it("allow eval only in dev mode (hot reloading)", () => {
    expect(pagePolicy("n", { dev: true })).toContain("'unsafe-eval'");
  });
});
