// The OpenAPI 3.1 document, generated from the endpoints' contracts (lib/api/contracts.ts): paths,
// parameters, bodies, responses and problems come from the same values the handlers parse with.
import { z } from "zod";
import { errorCodesOf, JSON_LINES, type Contract } from "@/lib/api/contract";
import { CONTRACTS } from "@/lib/api/contracts";
import { ERROR_STATUS, problemSchema, type ErrorCode } from "@/lib/api/errors";
import { apiTokenSchema, createApiTokenSchema, createdApiTokenSchema } from "@/lib/auth/api-token-schemas";
import { createProviderSchema, discoverySchema, patchedProviderSchema, providerListSchema, providerPatchSchema, providerSchema } from "@/lib/providers/schemas";
import { callToolBodySchema, listedToolSchema, toolListSchema, toolResultSchema, toolSchema } from "@/lib/providers/tool-schemas";
import { toolCallSchema } from "@/lib/activity/tool-calls";
import { toolCallStatsSchema } from "@/lib/activity/stats";
import { toolCallListSchema } from "@/app/api/v1/tool-calls/contract";

// Schemas that appear by name in the document; the others are named after their operation.
const NAMED: [z.ZodType, string][] = [
  [providerSchema, "Provider"],
  [patchedProviderSchema, "PatchedProvider"],
  [providerListSchema, "ProviderList"],
  [createProviderSchema, "CreateProvider"],
  [providerPatchSchema, "ProviderPatch"],
  [discoverySchema, "Discovery"],
  [toolSchema, "Tool"],
  [toolListSchema, "ToolList"],
  [listedToolSchema, "ListedTool"],
  [toolCallSchema, "ToolCall"],
  [toolCallListSchema, "ToolCallList"],
  [toolCallStatsSchema, "ToolCallStats"],
  [callToolBodySchema, "CallTool"],
  [toolResultSchema, "ToolResult"],
  [apiTokenSchema, "ApiToken"],
  [createdApiTokenSchema, "CreatedApiToken"],
  [createApiTokenSchema, "CreateApiToken"],
  [problemSchema, "Problem"],
];

type JsonSchema = Record<string, unknown>;

const pascal = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** One pass of named schemas, rendered for requests ("input") or responses ("output"). */
function componentPass(io: "input" | "output") {
  const registry = z.registry<{ id: string }>();
  const names = new Map<z.ZodType, string>();
  const name = (schema: z.ZodType, fallback: string): string => {
    const known = names.get(schema) ?? NAMED.find(([named]) => named === schema)?.[1] ?? fallback;
    if (!names.has(schema)) {
      names.set(schema, known);
      registry.add(schema, { id: known });
    }
    return known;
  };
  return {
    name,
    render(): Record<string, JsonSchema> {
      // Named schemas nested in others become references too.
      for (const [schema, id] of NAMED) if (!names.has(schema) && !registry.has(schema)) registry.add(schema, { id });
      const { schemas } = z.toJSONSchema(registry, { io, unrepresentable: "any", uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, JsonSchema> };
      // Keep what operations use, and what those refer to, transitively.
      const kept = new Set(names.values());
      for (let grew = true; grew; ) {
        grew = false;
        for (const id of Object.keys(schemas)) {
          if (!kept.has(id) && [...kept].some((user) => JSON.stringify(schemas[user]).includes(`"#/components/schemas/${id}"`))) {
            kept.add(id);
            grew = true;
          }
        }
      }
      return Object.fromEntries([...kept].map((id) => [id, withoutDocumentKeys(schemas[id])]));
    },
  };
}

function withoutDocumentKeys(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** Path or query parameters, one per field of the contract's object schema. */
function parameters(schema: z.ZodType | undefined, where: "path" | "query") {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const rendered = withoutDocumentKeys(z.toJSONSchema(field, { io: "input", unrepresentable: "any" }));
    const { description, ...fieldSchema } = rendered;
    return { name, in: where, required: where === "path" || !field.safeParse(undefined).success, ...(description ? { description } : {}), schema: fieldSchema };
  });
}

function problems(codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].sort(([a], [b]) => a - b).map(([status, list]) => [
      String(status),
      { description: list.map((code) => `\`${code}\``).join(", "), content: { "application/problem+json": { schema: ref("Problem") } } },
    ]),
  );
}

function operation(contract: Contract, inputs: ReturnType<typeof componentPass>, outputs: ReturnType<typeof componentPass>) {
  const id = pascal(contract.operationId);
  const responses = Object.fromEntries(
    Object.entries(contract.responses).map(([status, spec]) => [
      status,
      {
        description: spec.description,
        ...(spec.headers ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([header, description]) => [header, { description, schema: { type: "string" } }])) } : {}),
        ...(spec.schema ? { content: { [spec.jsonLines ? JSON_LINES : "application/json"]: { schema: ref(outputs.name(spec.schema, `${id}${spec.jsonLines ? "Line" : "Response"}`)) } } } : {}),
      },
    ]),
  );
  const requestHeaders = Object.entries(contract.requestHeaders ?? {}).map(([name, description]) => ({ name, in: "header", required: false, description, schema: { type: "string" } }));
  const bodyRef = contract.body ? ref(inputs.name(contract.body, `${id}Request`)) : undefined;
  return {
    operationId: contract.operationId,
    summary: contract.summary,
    ...(contract.description ? { description: contract.description } : {}),
    tags: [contract.tag],
    ...(contract.auth === "public" ? { security: [] } : {}),
    ...(contract.role ? { "x-required-role": contract.role } : {}),
    parameters: [...parameters(contract.params, "path"), ...parameters(contract.query, "query"), ...requestHeaders],
    ...(bodyRef
      ? {
          requestBody: {
            required: true,
            content: contract.method === "PATCH" ? { "application/merge-patch+json": { schema: bodyRef }, "application/json": { schema: bodyRef } } : { "application/json": { schema: bodyRef } },
          },
        }
      : {}),
    responses: { ...responses, ...problems(errorCodesOf(contract)) },
  };
}

export function openApiDocument(serverUrl: string) {
  const inputs = componentPass("input");
  const outputs = componentPass("output");
  outputs.name(problemSchema, "Problem");
  const paths: Record<string, Record<string, unknown>> = {};
  for (const contract of CONTRACTS) {
    paths[contract.path] ??= {};
    paths[contract.path][contract.method.toLowerCase()] = operation(contract, inputs, outputs);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "MCP Console API",
      version: "1.0.0",
      description:
        "Register MCP servers for your workspace and decide, per provider, whether tool calls carry the end user's identity. " +
        "Authenticate with `Authorization: Bearer <api token>` (create one under API tokens). Errors are RFC 9457 problem+json; " +
        "`x-required-role` names the least role an operation needs.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }, { session: [] }],
    tags: [...new Set(CONTRACTS.map((contract) => contract.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "A personal API token" },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "The console's session (changes need a same-origin Origin header)" },
      },
      schemas: { ...inputs.render(), ...outputs.render() },
    },
  };
}
