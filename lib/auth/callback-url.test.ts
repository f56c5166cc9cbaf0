import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "@/lib/auth/callback-url";

const origin = "http://127.0.0.1:3000";

describe("safeCallbackPath", () => {
  it.each([
    ["/\\evil.example", "/"],
    ["/\\/evil.example", "/"],
    ["//evil.example/x", "/"],
    ["https://evil.example/", "/"],
    ["javascript:alert(1)", "/"],
    ["http://127.0.0.1:3001/settings", "/"],
    ["/%5Cevil.example", "/%5Cevil.example"],
    ["/.//evil.example", "/"],
    ["http://127.0.0.1:3000//evil.example/x", "/"],
    ["http://127.0.0.1:3000/\\evil.example", "/"],
    ["/./\\evil.example", "/"],
    ["", "/"],
  ])("%s → %s", (value, expected) => {
    expect(safeCallbackPath(value, origin)).toBe(expected);
  });

  it("keeps same-origin paths with their query and fragment", () => {
    expect(safeCallbackPath("/settings/providers?q=a#x", origin)).toBe("/settings/providers?q=a#x");
    expect(safeCallbackPath("http://127.0.0.1:3000/settings/api-tokens", origin)).toBe("/settings/api-tokens");
  });
});
