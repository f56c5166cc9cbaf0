// Reading the OpenAPI document's JSON Schemas for people: a short type, and an example value
// (what a request body or an answer looks like), following $refs into components.schemas.
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maxLength?: number;
};

export type Schemas = Record<string, JsonSchema>;

export function refName(ref: string): string {
  return ref.split("/").pop() ?? ref;
}

export function resolve(schema: JsonSchema, schemas: Schemas): JsonSchema {
  return schema.$ref ? (schemas[refName(schema.$ref)] ?? {}) : schema;
}

/** "string (uuid)", "integer", "Provider[]", "ProviderList", "one of a | b". */
export function typeLabel(schema: JsonSchema): string {
  if (schema.$ref) return refName(schema.$ref);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.map(typeLabel).join(" | ");
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : (schema.type ?? "any");
  if (type === "array" && schema.items) return `${typeLabel(schema.items)}[]`;
  return schema.format ? `${type} (${schema.format})` : type;
}

const FORMAT_EXAMPLES: Record<string, string> = {
  uuid: "3f2c1a9e-8b7d-4c6e-9f1a-2b3c4d5e6f70",
  uri: "https://mcp.example.com/mcp",
  url: "https://mcp.example.com/mcp",
  "date-time": "2026-12-06T12:00:00.000Z",
  email: "ada@example.com",
};

/** An example value: the schema's own example or default where it has one, else one of its type. */
export function exampleOf(schema: JsonSchema, schemas: Schemas, depth = 0): unknown {
  if (depth > 6) return null;
  const own = resolve(schema, schemas);
  if (own.examples?.length) return own.examples[0];
  if (own.const !== undefined) return own.const;
  if (own.default !== undefined) return own.default;
  if (own.enum?.length) return own.enum[0];
  const variants = own.anyOf ?? own.oneOf;
  if (variants) return exampleOf(variants.find((variant) => variant.type !== "null") ?? variants[0], schemas, depth + 1);
  const type = Array.isArray(own.type) ? own.type.find((t) => t !== "null") : own.type;
  switch (type) {
    case "object": {
      const properties = Object.entries(own.properties ?? {});
      // What it needs; with nothing required (a merge patch), one field, as a patch usually has.
      const shown = own.required?.length ? properties.filter(([name]) => own.required?.includes(name)) : properties.slice(0, 1);
      return Object.fromEntries(shown.map(([name, property]) => [name, exampleOf(property, schemas, depth + 1)]));
    }
    case "array":
      return own.items ? [exampleOf(own.items, schemas, depth + 1)] : [];
    case "integer":
    case "number":
      return own.minimum ?? 1;
    case "boolean":
      return true;
    case "null":
      return null;
    case "string":
      return (own.format && FORMAT_EXAMPLES[own.format]) ?? "string";
    default:
      return own.properties ? exampleOf({ ...own, type: "object" }, schemas, depth + 1) : null;
  }
}
