import { describe, expect, it } from "vitest";
import { call } from "./helpers";

describe("GET /api/v1/openapi.json", () => {
  it("documents every v1 route with the handlers' own schemas", async () => {
    const res = await call(null, "GET", "/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.json;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/mcp-providers",
        "/api/v1/mcp-providers/{id}",
        "/api/v1/mcp-providers/{id}/tools",
        "/api/v1/mcp-providers/{id}/tools/refresh",
        "/api/v1/mcp-providers/{id}/tools/{tool}/call",
        "/api/v1/features",
        "/api/v1/api-tokens",
        "/api/v1/api-tokens/{id}",
      ]),
    );
    const create = doc.components.schemas.CreateProvider;
    expect(create.required).toEqual(expect.arrayContaining(["name", "server_identifier", "server_url"]));
    expect(create.additionalProperties).toBe(false);
    expect(create.properties.server_identifier.pattern).toBe("^[a-z0-9_-]{1,24}$");
    expect(create.properties.identity_mode.enum).toEqual(["off", "idp_token"]);
    expect(doc.components.schemas.CallTool.additionalProperties).toBe(false);
    expect(doc.components.schemas.ToolResult.required).toEqual(expect.arrayContaining(["content", "is_error"]));
    // The patch schema has no defaults: omitted fields must stay unchanged.
    expect(JSON.stringify(doc.components.schemas.ProviderPatch)).not.toContain('"default"');
  });
});
