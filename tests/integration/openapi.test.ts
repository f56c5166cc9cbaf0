// The OpenAPI document is generated from the endpoints' contracts: it is a valid OpenAPI 3.1
// document (checked by a validator of the standard), it lists every contract's operation with
// exactly the statuses the contract declares, and its schemas are the handlers' own.
import { validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { errorCodesOf, type Contract } from "@/lib/api/contract";
import { CONTRACTS } from "@/lib/api/contracts";
import { ERROR_STATUS } from "@/lib/api/errors";
import { openApiDocument } from "@/lib/api/openapi";
import { call, ORIGIN } from "./helpers";

type Operation = { operationId: string; responses: Record<string, unknown>; parameters: { name: string; in: string }[]; security?: unknown[] };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { required?: string[]; additionalProperties?: boolean; properties: Record<string, { pattern?: string; enum?: string[]; minLength?: number; maxLength?: number }> }> } };

const doc = openApiDocument(ORIGIN) as unknown as Document;

describe("GET /api/v1/openapi.json", () => {
  it("serves the generated document, publicly", async () => {
    const res = await call(null, "GET /api/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.json).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it.each(CONTRACTS.map((contract): [string, Contract] => [`${contract.method} ${contract.path}`, contract]))("documents %s as its contract declares it", (_key, contract) => {
    const operation = doc.paths[contract.path][contract.method.toLowerCase()];
    expect(operation.operationId).toBe(contract.operationId);
    const statuses = [...Object.keys(contract.responses), ...errorCodesOf(contract).map((code) => String(ERROR_STATUS[code]))];
    expect(Object.keys(operation.responses).sort()).toEqual([...new Set(statuses)].sort());
    const pathParams = [...contract.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
    expect(operation.parameters.filter((parameter) => parameter.in === "path").map((parameter) => parameter.name)).toEqual(pathParams);
    if (contract.auth === "public") expect(operation.security).toEqual([]);
  });

  it("carries the handlers' own rules: strict bodies, patterns, enums, and a patch without defaults", () => {
    const create = doc.components.schemas.CreateProvider;
    expect(create.required).toEqual(expect.arrayContaining(["name", "server_identifier", "server_url"]));
    expect(create.additionalProperties).toBe(false);
    expect(create.properties.server_identifier).toMatchObject({ pattern: "^[a-z0-9_-]*$", minLength: 1, maxLength: 24 });
    expect(create.properties.identity_mode.enum).toEqual(["off", "idp_token", "token_exchange", "id_jag"]);
    expect(doc.components.schemas.CallTool.additionalProperties).toBe(false);
    expect(doc.components.schemas.ToolResult.required).toEqual(expect.arrayContaining(["content", "is_error"]));
    // The patch schema has no defaults: omitted fields must stay unchanged.
    expect(JSON.stringify(doc.components.schemas.ProviderPatch)).not.toContain('"default"');
  });
});
