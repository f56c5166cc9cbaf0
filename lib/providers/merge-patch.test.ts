import { describe, expect, it } from "vitest";
import { applyProviderPatch, changedFields, mergePatch } from "@/lib/providers/merge-patch";
import type { StoredProviderDocument } from "@/lib/providers/record";

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

const doc: StoredProviderDocument = {
  name: "Linear",
  server_identifier: "linear",
  server_url: "https://mcp.linear.app/sse",
  icon: { type: "emoji", content: "🔧", background: "#EEF" },
  headers: { "X-Api-Key": "secret-1", "X-Other": "keep" },
  authentication: { type: "oauth", connection: "shared", client_id: "abc", client_secret: "s3cret" },
  configuration: { timeout: 30, sse_read_timeout: 300 },
  identity_mode: "off",
  tool_policy: { disabled: ["delete_issue"], ask: [] },
  activity_recording: { arguments: false, results: false },
};

const apply = (patch: Parameters<typeof applyProviderPatch>[1], current: StoredProviderDocument = doc) => applyProviderPatch(current, patch).document;

describe("applyProviderPatch", () => {
  it("keeps every omitted field", () => {
    expect(apply({ name: "New" })).toEqual({ ...doc, name: "New" });
  });

  it("merges activity_recording field by field: turning results on leaves arguments as they were", () => {
    const recording = apply({ activity_recording: { arguments: true } });
    expect(recording.activity_recording).toEqual({ arguments: true, results: false });
    expect(apply({ activity_recording: { results: true } }, recording).activity_recording).toEqual({ arguments: true, results: true });
    expect(changedFields(doc, recording)).toEqual(["activity_recording.arguments"]);
  });

  it("deletes one header with null and keeps the rest", () => {
    expect(apply({ headers: { "X-Other": null } }).headers).toEqual({ "X-Api-Key": "secret-1" });
  });

  it("matches header names whatever their case (RFC 9110): null removes, a value replaces", () => {
    expect(apply({ headers: { "x-other": null } }).headers).toEqual({ "X-Api-Key": "secret-1" });
    expect(apply({ headers: { "x-api-key": "secret-2" } }).headers).toEqual({ "x-api-key": "secret-2", "X-Other": "keep" });
  });

  it("drops an emptied header map entirely", () => {
    expect(apply({ headers: { "X-Other": null, "X-Api-Key": null } }).headers).toBeUndefined();
  });

  it("merges configuration", () => {
    expect(apply({ configuration: { timeout: 10 } }).configuration).toEqual({ timeout: 10, sse_read_timeout: 300 });
  });

  it("replaces the icon when its type changes", () => {
    expect(apply({ icon: { type: "url", url: "https://x.test/i.png" } }).icon).toEqual({ type: "url", url: "https://x.test/i.png" });
  });

  it("validates the merged result", () => {
    expect(() => apply({ icon: { background: "red" } })).toThrow(/hex colour/);
  });

  it("keeps a stored identity mode it doesn't know unless the patch picks one", () => {
    const unsupported: StoredProviderDocument = { ...doc, identity_mode: "unsupported" };
    expect(apply({}, unsupported).identity_mode).toBe("unsupported");
    expect(apply({ name: "Renamed" }, unsupported)).toEqual({ ...unsupported, name: "Renamed" });
    expect(apply({ identity_mode: "off" }, unsupported).identity_mode).toBe("off");
  });
});

describe("tool policy", () => {
  it("replaces the disabled list whole, distinct and sorted, and leaves it alone when omitted", () => {
    expect(apply({ tool_policy: { disabled: ["b", "a", "b"] } }).tool_policy).toEqual({ disabled: ["a", "b"], ask: [] });
    expect(apply({ tool_policy: { disabled: [] } }).tool_policy).toEqual({ disabled: [], ask: [] });
    expect(apply({ name: "Other" }).tool_policy).toEqual({ disabled: ["delete_issue"], ask: [] });
    expect(apply({ tool_policy: {} }).tool_policy).toEqual({ disabled: ["delete_issue"], ask: [] });
  });

  it("sets the ask list beside the disabled one, and refuses a tool in both", () => {
    expect(apply({ tool_policy: { ask: ["send_mail", "send_mail"] } }).tool_policy).toEqual({ disabled: ["delete_issue"], ask: ["send_mail"] });
    expect(() => apply({ tool_policy: { ask: ["delete_issue"] } })).toThrow(/either turned off or asks first/);
    expect(apply({ tool_policy: { disabled: [], ask: ["delete_issue"] } }).tool_policy).toEqual({ disabled: [], ask: ["delete_issue"] });
  });

  it("names the policy in the audit fields", () => {
    expect(changedFields(doc, apply({ tool_policy: { disabled: [] } }))).toEqual(["tool_policy"]);
  });
});

describe("moving the server to another origin", () => {
  it("drops the stored header values and client secret that the patch does not send again, and says so", () => {
    const result = applyProviderPatch(doc, { server_url: "https://attacker.example/mcp" });
    expect(result.document.headers).toBeUndefined();
    expect(result.document.authentication).toEqual({ type: "oauth", connection: "shared", client_id: "abc" });
    expect(result.droppedSecrets).toEqual(["authentication.client_secret", "headers.X-Api-Key", "headers.X-Other"]);
  });

  it("keeps what the patch sends again, and within the same origin drops only the OAuth secrets, on another path", () => {
    const moved = applyProviderPatch(doc, { server_url: "https://new.example/mcp", headers: { "x-api-key": "new-key" }, authentication: { client_secret: "new-secret" } });
    expect(moved.document.headers).toEqual({ "x-api-key": "new-key" });
    expect(moved.document.authentication).toEqual({ type: "oauth", connection: "shared", client_id: "abc", client_secret: "new-secret" });
    expect(moved.droppedSecrets).toEqual(["headers.X-Other"]);
    const samePlace = applyProviderPatch(doc, { server_url: "https://mcp.linear.app/v2/mcp" });
    expect(samePlace.document.headers).toEqual(doc.headers);
    expect(samePlace.droppedSecrets).toEqual(["authentication.client_secret"]);
    expect(applyProviderPatch(doc, { server_url: `${doc.server_url}?region=eu` }).droppedSecrets).toEqual([]);
  });
});

describe("changedFields", () => {
  it("names top-level fields and map entries, never values", () => {
    const after = apply({ name: "N", headers: { "X-Api-Key": "secret-2", "X-New": "n" }, authentication: { client_secret: null } });
    expect(changedFields(doc, after)).toEqual(["authentication.client_secret", "headers.X-Api-Key", "headers.X-New", "name"]);
    expect(changedFields(doc, doc)).toEqual([]);
  });
});

describe("identity settings", () => {
  const exchange: StoredProviderDocument = { ...doc, identity_mode: "id_jag", identity_settings: { subject_token_type: "id_token", client_id: "console", client_secret: "jag-secret" } };

  it("merges: omitted stays, null removes one setting, an emptied object goes", () => {
    expect(apply({ identity_settings: { scope: "mcp" } }, exchange).identity_settings).toEqual({ subject_token_type: "id_token", client_id: "console", client_secret: "jag-secret", scope: "mcp" });
    expect(apply({ identity_settings: { subject_token_type: null } }, exchange).identity_settings).toEqual({ client_id: "console", client_secret: "jag-secret" });
    expect(apply({ identity_mode: "idp_token", identity_settings: null }, exchange).identity_settings).toBeUndefined();
    expect(apply({ identity_mode: "idp_token", identity_settings: { subject_token_type: null, client_id: null, client_secret: null } }, exchange).identity_settings).toBeUndefined();
  });

  it("refuses what a mode can't work without: id_jag's client, on-behalf-of's scope", () => {
    expect(() => apply({ identity_settings: { client_id: null, client_secret: null } }, exchange)).toThrow(expect.objectContaining({ code: "validation_failed" }));
    expect(() => apply({ identity_mode: "token_exchange", identity_settings: { profile: "entra_obo" } })).toThrow(expect.objectContaining({ code: "validation_failed" }));
    expect(apply({ identity_mode: "token_exchange", identity_settings: { profile: "entra_obo", scope: "api://server/.default" } }).identity_settings).toEqual({ profile: "entra_obo", scope: "api://server/.default" });
  });

  it("drops the stored client secret when the server moves to another origin, unless it is sent again", () => {
    const moved = applyProviderPatch(exchange, { server_url: "https://elsewhere.example/mcp" });
    expect(moved.document.identity_settings).toEqual({ subject_token_type: "id_token", client_id: "console" });
    expect(moved.droppedSecrets).toContain("identity_settings.client_secret");
    expect(applyProviderPatch(exchange, { server_url: "https://elsewhere.example/mcp", identity_settings: { client_secret: "new" } }).document.identity_settings?.client_secret).toBe("new");
  });

  it("drops the OAuth secrets when the server moves to another path of the same host (another tenant may name another authorization server), but keeps headers", () => {
    const withHeader: StoredProviderDocument = { ...exchange, headers: { "X-Api-Key": "k" } };
    const moved = applyProviderPatch(withHeader, { server_url: exchange.server_url.replace(/\/[^/]*$/, "/other-tenant/mcp") });
    expect(moved.droppedSecrets).toContain("identity_settings.client_secret");
    expect(moved.droppedSecrets.filter((name) => name.startsWith("headers."))).toEqual([]);
    expect(moved.document.headers).toEqual({ "X-Api-Key": "k" });
  });

  it("names the changed settings in the audit fields, never their values", () => {
    expect(changedFields(exchange, apply({ identity_settings: { client_secret: "rotated", scope: "mcp" } }, exchange))).toEqual(["identity_settings.client_secret", "identity_settings.scope"]);
  });
});
