import { describe, expect, it } from "vitest";
import { applyProviderPatch, changedFields, mergePatch } from "@/lib/providers/merge-patch";
import type { ProviderDocument } from "@/lib/providers/schemas";

describe("mergePatch (RFC 7396 appendix A)", () => {
  it.each([
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [["a", "b"], ["c", "d"], ["c", "d"]],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])("%j + %j = %j", (target, patch, expected) => {
    expect(mergePatch(target as never, patch as never)).toEqual(expected);
  });

  it("does not modify the target", () => {
    const target = { a: { b: 1 } };
    mergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

const doc: ProviderDocument = {
  name: "Linear",
  server_identifier: "linear",
  server_url: "https://mcp.linear.app/sse",
  icon: { type: "emoji", content: "🔧", background: "#EEF" },
  headers: { "X-Api-Key": "secret-1", "X-Other": "keep" },
  authentication: { client_id: "abc", client_secret: "s3cret" },
  configuration: { timeout: 30, sse_read_timeout: 300 },
  identity_mode: "off",
};

describe("applyProviderPatch", () => {
  it("keeps every omitted field", () => {
    expect(applyProviderPatch(doc, { name: "New" })).toEqual({ ...doc, name: "New" });
  });

  it("deletes one header with null and keeps the rest", () => {
    expect(applyProviderPatch(doc, { headers: { "X-Other": null } }).headers).toEqual({ "X-Api-Key": "secret-1" });
  });

  it("drops an emptied header map entirely", () => {
    expect(applyProviderPatch(doc, { headers: { "X-Other": null, "X-Api-Key": null } }).headers).toBeUndefined();
  });

  it("merges configuration", () => {
    expect(applyProviderPatch(doc, { configuration: { timeout: 10 } }).configuration).toEqual({ timeout: 10, sse_read_timeout: 300 });
  });

  it("replaces the icon when its type changes", () => {
    expect(applyProviderPatch(doc, { icon: { type: "url", url: "https://x.test/i.png" } }).icon).toEqual({ type: "url", url: "https://x.test/i.png" });
  });

  it("validates the merged result", () => {
    expect(() => applyProviderPatch(doc, { icon: { background: "red" } })).toThrowError(/hex colour/);
  });
});

describe("changedFields", () => {
  it("names top-level fields and map entries, never values", () => {
    const after = applyProviderPatch(doc, { name: "N", headers: { "X-Api-Key": "secret-2", "X-New": "n" }, authentication: { client_secret: null } });
    expect(changedFields(doc, after)).toEqual(["authentication.client_secret", "headers.X-Api-Key", "headers.X-New", "name"]);
    expect(changedFields(doc, doc)).toEqual([]);
  });
});
