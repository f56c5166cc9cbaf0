// The OpenAPI 3.1 document, generated from the same zod schemas the handlers parse with.
import { z } from "zod";
import { ERROR_STATUS, type ErrorCode } from "@/lib/api/errors";
import { apiTokenSchema, createApiTokenSchema, createdApiTokenSchema } from "@/lib/auth/api-tokens";
import { IDENTITY_MODES } from "@/lib/identity/modes";
import { createProviderSchema, providerListSchema, providerPatchSchema, providerSchema } from "@/lib/providers/schemas";
import { callToolBodySchema, toolListSchema, toolResultSchema } from "@/lib/providers/tool-schemas";

const schema = (s: z.ZodType, io: "input" | "output") => z.toJSONSchema(s, { io, unrepresentable: "any" });

const problemSchema = {
  type: "object",
  required: ["type", "title", "status", "detail", "code"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string", enum: Object.keys(ERROR_STATUS) },
    errors: { type: "array", items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } } },
  },
};

const problems = (...codes: ErrorCode[]) =>
  Object.fromEntries(
    codes.map((code) => [
      String(ERROR_STATUS[code]),
      { description: code, content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } },
    ]),
  );

const jsonBody = (ref: string) => ({ required: true, content: { "application/json": { schema: { $ref: ref } } } });
const jsonResponse = (description: string, ref: string, headers?: object) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/json": { schema: { $ref: ref } } },
});

const idParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
const etagHeader = { ETag: { schema: { type: "string" }, description: 'The provider\'s version, e.g. "3"' } };

export function openApiDocument(serverUrl: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "MCP Console API",
      version: "1.0.0",
      description:
        "Register MCP servers for your workspace and decide, per provider, whether tool calls carry the end user's identity. " +
        "Authenticate with `Authorization: Bearer <api token>` (create one under API tokens). Errors are RFC 9457 problem+json.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      "/api/v1/mcp-providers": {
        get: {
          summary: "List providers",
          description: "Newest first, paginated with an opaque cursor. `q` filters by name or identifier.",
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 50 } },
            { name: "cursor", in: "query", schema: { type: "string" } },
            { name: "q", in: "query", schema: { type: "string", maxLength: 100 } },
          ],
          responses: { "200": jsonResponse("A page of providers", "#/components/schemas/ProviderList"), ...problems("unauthenticated", "validation_failed") },
        },
        post: {
          summary: "Create a provider",
          description: `Omitted optional fields take their defaults (identity_mode "off", timeouts 30/300).`,
          requestBody: jsonBody("#/components/schemas/CreateProvider"),
          responses: {
            "201": jsonResponse("Created", "#/components/schemas/Provider", { Location: { schema: { type: "string" } }, ...etagHeader }),
            ...problems("unauthenticated", "forbidden", "conflict", "payload_too_large", "validation_failed"),
          },
        },
      },
      "/api/v1/mcp-providers/{id}": {
        parameters: [idParam],
        get: {
          summary: "Get a provider",
          responses: { "200": jsonResponse("The provider", "#/components/schemas/Provider", etagHeader), ...problems("unauthenticated", "not_found") },
        },
        patch: {
          summary: "Merge-patch a provider (RFC 7396)",
          description:
            "A field that is omitted stays unchanged; `null` removes an optional field or one map entry " +
            '(`{"headers":{"X-Old":null}}` deletes one header); nested objects merge. `{}` changes nothing. ' +
            "Send `If-Match` with the ETag you read to refuse a stale update (412).",
          parameters: [{ name: "If-Match", in: "header", schema: { type: "string" } }],
          requestBody: { required: true, content: { "application/merge-patch+json": { schema: { $ref: "#/components/schemas/ProviderPatch" } }, "application/json": { schema: { $ref: "#/components/schemas/ProviderPatch" } } } },
          responses: {
            "200": jsonResponse("The updated provider", "#/components/schemas/Provider", etagHeader),
            ...problems("unauthenticated", "forbidden", "not_found", "conflict", "precondition_failed", "payload_too_large", "validation_failed"),
          },
        },
        delete: {
          summary: "Delete a provider",
          responses: { "204": { description: "Deleted" }, ...problems("unauthenticated", "forbidden", "not_found") },
        },
      },
      "/api/v1/mcp-providers/{id}/tools": {
        parameters: [idParam],
        get: {
          summary: "List a provider's tools",
          description: "The tools found by the last discovery, with their input schemas.",
          responses: { "200": jsonResponse("The tools", "#/components/schemas/ToolList"), ...problems("unauthenticated", "not_found") },
        },
      },
      "/api/v1/mcp-providers/{id}/tools/refresh": {
        parameters: [idParam],
        post: {
          summary: "Discover a provider's tools now",
          description: "Runs `tools/list` against the server as you (with your identity token when the provider forwards identity) and stores the result.",
          responses: {
            "200": jsonResponse("The provider, with its new tool count", "#/components/schemas/Provider"),
            ...problems("unauthenticated", "not_found", "identity_required", "identity_refused", "identity_unavailable", "upstream_unauthorized", "upstream_error", "upstream_timeout"),
          },
        },
      },
      "/api/v1/mcp-providers/{id}/tools/{tool}/call": {
        parameters: [idParam, { name: "tool", in: "path", required: true, schema: { type: "string", maxLength: 128 } }],
        post: {
          summary: "Call a tool as yourself",
          description: "With identity forwarding, the call carries a token minted for you; it fails rather than fall back to a shared credential.",
          requestBody: jsonBody("#/components/schemas/CallTool"),
          responses: {
            "200": jsonResponse("The tool's result (is_error is true when the tool itself failed)", "#/components/schemas/ToolResult"),
            ...problems("unauthenticated", "not_found", "validation_failed", "rate_limited", "identity_required", "identity_refused", "identity_unavailable", "upstream_unauthorized", "upstream_error", "upstream_timeout"),
          },
        },
      },
      "/api/v1/features": {
        get: {
          summary: "What this deployment offers",
          responses: {
            "200": {
              description: "Feature flags for the UI",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: {
                      enterprise_enabled: { type: "boolean" },
                      identity_modes: { type: "array", items: { type: "string", enum: [...IDENTITY_MODES] } },
                      sso_enabled: { type: "boolean" },
                      role: { type: "string" },
                    },
                  },
                },
              },
            },
            ...problems("unauthenticated"),
          },
        },
      },
      "/api/v1/api-tokens": {
        get: {
          summary: "List your API tokens",
          responses: {
            "200": { description: "Your tokens", content: { "application/json": { schema: { type: "object", properties: { data: { type: "array", items: { $ref: "#/components/schemas/ApiToken" } } } } } } },
            ...problems("unauthenticated"),
          },
        },
        post: {
          summary: "Create an API token",
          description: "The secret is returned once, in this response.",
          requestBody: jsonBody("#/components/schemas/CreateApiToken"),
          responses: { "201": jsonResponse("Created", "#/components/schemas/CreatedApiToken"), ...problems("unauthenticated", "validation_failed") },
        },
      },
      "/api/v1/api-tokens/{id}": {
        parameters: [idParam],
        delete: { summary: "Revoke an API token", responses: { "204": { description: "Revoked" }, ...problems("unauthenticated", "not_found") } },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "A personal API token" },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "The console's session (mutations need a same-origin Origin header)" },
      },
      schemas: {
        Provider: schema(providerSchema, "output"),
        ProviderList: schema(providerListSchema, "output"),
        CreateProvider: schema(createProviderSchema, "input"),
        ProviderPatch: schema(providerPatchSchema, "input"),
        ApiToken: schema(apiTokenSchema, "output"),
        CreatedApiToken: schema(createdApiTokenSchema, "output"),
        CreateApiToken: schema(createApiTokenSchema, "input"),
        ToolList: schema(toolListSchema, "output"),
        CallTool: schema(callToolBodySchema, "input"),
        ToolResult: schema(toolResultSchema, "output"),
        Problem: problemSchema,
      },
    },
  };
}
