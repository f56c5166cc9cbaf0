import { describe, expect, it } from "vitest";
import { maskHeaders, maskSecret, maskUrl } from "@/lib/providers/masking";

describe("masking", () => {
  it("shows the first and last 2 characters of secrets longer than 6", () => {
    expect(maskSecret("sk-1234567-9f")).toBe("sk******9f");
    expect(maskSecret("1234567")).toBe("12******67");
  });

  it("shows only the mask for 6 characters or fewer, hiding the length", () => {
    expect(maskSecret("123456")).toBe("******");
    expect(maskSecret("a")).toBe("******");
    expect(maskSecret("")).toBe("******");
  });

  it("keeps only scheme and host (with port) of URLs", () => {
    expect(maskUrl("https://mcp.linear.app/sse?key=abc")).toBe("https://mcp.linear.app/******");
    expect(maskUrl("http://user:pw@10.0.0.1:8080/x")).toBe("http://10.0.0.1:8080/******");
    expect(maskUrl("not a url")).toBe("******");
  });

  it("masks every header value and keeps the names", () => {
    expect(maskHeaders({ "X-Api-Key": "sk-abcdefgh", Short: "x" })).toEqual({ "X-Api-Key": "sk******gh", Short: "******" });
  });
});
