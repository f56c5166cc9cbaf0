import { describe, expect, it } from "vitest";
import { ConnectionAuth, tokenExpiry } from "@/lib/upstream-oauth/client-provider";

const provider = () => new ConnectionAuth({}, { redirectUrl: "https://console.example/oauth/callback", clientName: "MCP Console", onAuthorization: "refuse" });

describe("tokens an authorization server hands out", () => {
  it("keep a lifetime a date can hold, whatever expires_in says", () => {
    for (const [expiresIn, seconds] of [[1e13, 365 * 24 * 3600], [-5, 0], [Number.POSITIVE_INFINITY, 365 * 24 * 3600], [3600, 3600]] as const) {
      const auth = provider();
      auth.saveTokens({ access_token: "a", token_type: "Bearer", expires_in: expiresIn });
      const expiry = tokenExpiry(auth.stored.tokens);
      expect(Number.isFinite(expiry)).toBe(true);
      expect(new Date(expiry ?? 0).toISOString()).toBe(new Date((auth.stored.tokens?.saved_at ?? 0) + seconds * 1000).toISOString());
    }
  });

  it("without expires_in have no known expiry, and a refresh without a new refresh token keeps the old one", () => {
    const auth = provider();
    auth.saveTokens({ access_token: "a", token_type: "Bearer", refresh_token: "r1" });
    expect(tokenExpiry(auth.stored.tokens)).toBeUndefined();
    auth.saveTokens({ access_token: "b", token_type: "Bearer" });
    expect(auth.stored.tokens).toMatchObject({ access_token: "b", refresh_token: "r1" });
  });
});
