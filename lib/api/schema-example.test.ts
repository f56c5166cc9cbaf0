import { describe, expect, it } from "vitest";
import type { Contract } from "@/lib/api/contract";
import { CONTRACTS } from "@/lib/api/contracts";
import { openApiDocument } from "@/lib/api/openapi";
import { exampleOf, type Schemas } from "@/lib/api/schema-example";

describe("the API reference's examples", () => {
  const document = openApiDocument("https://console.example.com");
  const schemas: Schemas = document.components.schemas;
  const withBody = (CONTRACTS as readonly Contract[]).filter((contract) => contract.body);

  it.each(withBody.map((contract) => [`${contract.method} ${contract.path}`, contract] as const))("%s: the request body example is one the API accepts", (_, contract) => {
    const operation = (document.paths[contract.path] as Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> } }>)[contract.method.toLowerCase()];
    const [content] = Object.values(operation.requestBody?.content ?? {});
    expect(content).toBeDefined();
    const example = exampleOf(content.schema, schemas);
    const parsed = contract.body?.safeParse(example);
    expect(parsed?.success, JSON.stringify({ example, issues: parsed?.error?.issues })).toBe(true);
  });
});
