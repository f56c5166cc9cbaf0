import { describe, expect, it } from "vitest";
import { redirectDestination } from "@/lib/oauth/redirect-uris";

describe("redirectDestination", () => {
  it("names an http(s) URI's host", () => {
    expect(redirectDestination("https://claude.ai/api/mcp/auth_callback")).toBe("claude.ai");
    expect(redirectDestination("http://127.0.0.1:8123/cb")).toBe("127.0.0.1:8123");
  });

  it("names a private-use scheme, never a host written after it", () => {
    expect(redirectDestination("com.example.app:/cb")).toBe("com.example.app:");
    expect(redirectDestination("com.evil.app://claude.ai/cb")).toBe("com.evil.app:");
  });

  it("names nothing for any other scheme", () => {
    expect(redirectDestination("javascript://claude.ai/%0aalert(1)")).toBeUndefined();
    expect(redirectDestination("not a uri")).toBeUndefined();
  });
});
