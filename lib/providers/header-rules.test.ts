import { describe, expect, it } from "vitest";
import { isCredentialName, isForbiddenHeader } from "@/lib/providers/header-rules";

describe("credential names", () => {
  it.each([
    "Authorization", "Cookie", "X-Api-Key", "Api-Key", "apikey", "X-Auth-Token", "Private-Token", "X-Goog-Api-Key",
    "X-Authorization", "X-Upstream-Authorization", "X-Authentication", "X-ApiToken", "X-AccessToken", "X-Api-Keys",
    "X-Bearer", "X-Signature", "X-Client-Secret", "X-Session-Token", "api_key", "access_token", "key", "sig", "code", "password",
  ])("%s carries a credential", (name) => {
    expect(isCredentialName(name)).toBe(true);
  });

  it.each(["X-Tenant", "Accept-Language", "X-Request-Id", "User-Agent", "tenant", "region", "X-Keyboard-Layout", "monkey"])("%s does not", (name) => {
    expect(isCredentialName(name)).toBe(false);
  });
});

describe("forbidden headers", () => {
  it("include the transport's and the HTTP client's, whatever their case", () => {
    for (const name of ["host", "Content-Length", "MCP-SESSION-ID", "Mcp-Protocol-Version", "content-type", "Accept", "Cookie", "Last-Event-ID"]) {
      expect(isForbiddenHeader(name)).toBe(true);
    }
    expect(isForbiddenHeader("X-Api-Key")).toBe(false);
  });
});
