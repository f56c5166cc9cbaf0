import { describe, expect, it } from "vitest";
import { createProviderSchema, identifierFrom, providerPatchSchema, serverIdentifierSchema } from "@/lib/providers/schemas";

const minimal = { name: "Linear", server_identifier: "linear", server_url: "https://mcp.linear.app/mcp" };

describe("createProviderSchema", () => {
  it("fills the defaults", () => {
    expect(createProviderSchema.parse(minimal)).toEqual({
      ...minimal,
      configuration: { timeout: 30, sse_read_timeout: 300 },
      identity_mode: "off",
      tool_policy: { disabled: [], ask: [] },
      activity_recording: { arguments: false, results: false },
    });
  });

  it.each(["Host", "host", "Content-Length", "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "TE", "Trailer", "Proxy-Authorization"])(
    "refuses the hop-by-hop or framing header %s",
    (name) => {
      expect(createProviderSchema.safeParse({ ...minimal, headers: { [name]: "x" } }).success).toBe(false);
    },
  );

  it.each(["Mcp-Session-Id", "mcp-protocol-version", "Content-Type", "Accept", "Cookie", "Last-Event-ID"])(
    "refuses %s, which the MCP transport owns",
    (name) => {
      const result = createProviderSchema.safeParse({ ...minimal, headers: { [name]: "x" } });
      expect(result.success).toBe(false);
      expect(providerPatchSchema.safeParse({ headers: { [name]: "x" } }).success).toBe(false);
    },
  );

  it.each([
    ["a control character", "abc\u0001def"],
    ["a DEL", "abc\u007f"],
    ["a line break", "a\r\nX-Injected: 1"],
    ["a NUL", "a\u0000b"],
    ["non-ASCII text", "café"],
    ["an emoji", "key-🔑"],
  ])("refuses a header value with %s (the HTTP client would refuse it at every call)", (_label, value) => {
    expect(createProviderSchema.safeParse({ ...minimal, headers: { "X-Key": value } }).success).toBe(false);
    expect(providerPatchSchema.safeParse({ headers: { "X-Key": value } }).success).toBe(false);
  });

  it("accepts visible ASCII with spaces and tabs, trimmed", () => {
    expect(createProviderSchema.parse({ ...minimal, headers: { "X-Key": "  Bearer a.b-c_d~e+f/g=  " } }).headers).toEqual({ "X-Key": "Bearer a.b-c_d~e+f/g=" });
    expect(createProviderSchema.safeParse({ ...minimal, headers: { "X-Key": "a\tb" } }).success).toBe(true);
  });

  it("refuses two spellings of one header name in a patch", () => {
    expect(providerPatchSchema.safeParse({ headers: { "X-A": "1", "x-a": null } }).success).toBe(false);
  });

  it.each(["javascript:alert(1)", "file:///etc/passwd", "mcp.linear.app", "https://", "http://"])("refuses the URL %s", (server_url) => {
    expect(createProviderSchema.safeParse({ ...minimal, server_url }).success).toBe(false);
  });

  it("accepts identifiers of exactly the allowed shape", () => {
    for (const ok of ["a", "linear_2", "x-y", "a".repeat(24)]) expect(createProviderSchema.safeParse({ ...minimal, server_identifier: ok }).success).toBe(true);
    for (const bad of ["", "A", "a b", "ä", "a".repeat(25), "a.b"]) expect(createProviderSchema.safeParse({ ...minimal, server_identifier: bad }).success).toBe(false);
  });
});

describe("providerPatchSchema", () => {
  it("has no defaults: an empty patch stays empty", () => {
    expect(providerPatchSchema.parse({})).toEqual({});
    expect(providerPatchSchema.parse({ configuration: { timeout: 5 } })).toEqual({ configuration: { timeout: 5 } });
  });

  it("accepts null where a field can be removed, and refuses it where it can't", () => {
    for (const ok of [{ icon: null }, { headers: null }, { headers: { "X-A": null } }, { authentication: null }, { authentication: { client_secret: null } }]) {
      expect(providerPatchSchema.safeParse(ok).success).toBe(true);
    }
    for (const bad of [{ name: null }, { server_url: null }, { configuration: null }, { identity_mode: null }, { configuration: { timeout: null } }]) {
      expect(providerPatchSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe("identifierFrom", () => {
  it.each([
    ["Linear", "linear"],
    ["Linear Issues (EU)", "linear-issues-eu"],
    ["  Café  Déjà vu ", "cafe-deja-vu"],
    ["GitHub / Copilot 2", "github-copilot-2"],
    ["!!!", ""],
    ["An extremely long provider name that goes on", "an-extremely-long-provid"],
    ["abcdefghijklmnopqrstuvw yz", "abcdefghijklmnopqrstuvw"],
  ])("%j → %j, which the identifier schema accepts (or is empty)", (name, identifier) => {
    expect(identifierFrom(name)).toBe(identifier);
    if (identifier) expect(serverIdentifierSchema.safeParse(identifier).success).toBe(true);
  });
});

describe("identity settings", () => {
  it("are optional, strict, and a client secret needs its client ID", () => {
    expect(createProviderSchema.parse({ ...minimal, identity_mode: "token_exchange" }).identity_settings).toBeUndefined();
    expect(createProviderSchema.safeParse({ ...minimal, identity_settings: { audience: "x" } }).success).toBe(false);
    expect(createProviderSchema.safeParse({ ...minimal, identity_settings: { client_secret: "s" } }).success).toBe(false);
    expect(createProviderSchema.safeParse({ ...minimal, identity_settings: { subject_token_type: "refresh_token" } }).success).toBe(false);
  });

  it("say on which field a mode is missing what it needs", () => {
    const paths = (input: object) => createProviderSchema.safeParse({ ...minimal, ...input }).error?.issues.map((issue) => issue.path.join("."));
    expect(paths({ identity_mode: "id_jag" })).toEqual(["identity_settings.client_id"]);
    expect(paths({ identity_mode: "token_exchange", identity_settings: { profile: "entra_obo" } })).toEqual(["identity_settings.scope"]);
    expect(paths({ identity_mode: "id_jag", identity_settings: { client_id: "console" } })).toBeUndefined();
  });

  it("patch: every field nullable, nothing defaulted", () => {
    expect(providerPatchSchema.parse({ identity_settings: { scope: null } })).toEqual({ identity_settings: { scope: null } });
    expect(providerPatchSchema.parse({ identity_settings: {} })).toEqual({ identity_settings: {} });
  });
});
