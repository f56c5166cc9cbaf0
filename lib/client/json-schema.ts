// Just enough JSON Schema to check a tool's arguments before sending them: required properties,
// primitive types and enums. The MCP server validates fully; this catches typos early.
type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; enum?: unknown[]; items?: Schema };

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function matches(type: string, actual: string) {
  return type === actual || (type === "number" && actual === "integer");
}

export function validateArguments(schema: Schema, value: unknown, path = ""): string[] {
  const errors: string[] = [];
  const label = path || "arguments";
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => matches(type, typeOf(value)))) return [`${label} should be ${types.join(" or ")}, not ${typeOf(value)}`];
  }
  if (schema.enum && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    errors.push(`${label} should be one of ${schema.enum.map((option) => JSON.stringify(option)).join(", ")}`);
  }
  if (typeOf(value) === "object") {
    const object = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in object)) errors.push(`${path ? `${path}.` : ""}${name} is required`);
    for (const [name, inner] of Object.entries(schema.properties ?? {})) {
      if (name in object) errors.push(...validateArguments(inner, object[name], path ? `${path}.${name}` : name));
    }
  }
  const items = schema.items;
  if (Array.isArray(value) && items) {
    value.forEach((item: unknown, index) => errors.push(...validateArguments(items, item, `${label}[${index}]`)));
  }
  return errors;
}
