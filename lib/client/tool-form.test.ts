import { describe, expect, it } from "vitest";
import { argumentsFrom, initialValues, toolFields, valuesFrom, type InputSchema } from "@/lib/client/tool-form";

const schema: InputSchema = {
  properties: {
    message: { type: "string", description: "What to echo" },
    count: { type: "integer", minimum: 1, maximum: 10 },
    ratio: { type: "number", default: 0.5 },
    loud: { type: "boolean" },
    mode: { type: "string", enum: ["fast", "careful"] },
    tags: { type: "array" },
  },
  required: ["message", "count", "mode"],
};

describe("Try it's form", () => {
  it("has a field per property, of the right kind, with required marks and descriptions", () => {
    expect(toolFields(schema).map((field) => [field.name, field.kind, field.required])).toEqual([
      ["message", "text", true],
      ["count", "integer", true],
      ["ratio", "number", false],
      ["loud", "boolean", false],
      ["mode", "choice", true],
      ["tags", "json", false],
    ]);
    expect(toolFields(schema)[0].description).toBe("What to echo");
  });

  it("starts from defaults and minimums, not zeros", () => {
    expect(initialValues(schema)).toEqual({ message: "", count: "1", ratio: "0.5", loud: false, mode: '"fast"', tags: "" });
  });

  it("makes arguments of the schema's types, leaving empty optional fields out", () => {
    const values = { ...initialValues(schema), message: "hi", tags: '["a"]', loud: true };
    expect(argumentsFrom(schema, values)).toEqual({ args: { message: "hi", count: 1, ratio: 0.5, loud: true, mode: "fast", tags: ["a"] }, problems: [] });
    expect(argumentsFrom(schema, { ...initialValues(schema), ratio: "" }).args).toEqual({ message: "", count: 1, mode: "fast" });
  });

  it("says which field can't be read", () => {
    expect(argumentsFrom(schema, { ...initialValues(schema), count: "1.5", tags: "[oops" }).problems).toEqual(["count should be a whole number", "tags is not valid JSON"]);
  });

  it("round-trips through raw JSON", () => {
    const args = { message: "hi", count: 3, mode: "careful", loud: true, tags: [1] };
    expect(argumentsFrom(schema, valuesFrom(schema, args)).args).toEqual({ ...args, ratio: 0.5 });
  });

  it("reads optional values as servers write them, and a null default as none", () => {
    const optional: InputSchema = {
      properties: {
        limit: { anyOf: [{ type: "integer", minimum: 1 }, { type: "null" }], default: null },
        label: { type: "string", default: null },
        either: { anyOf: [{ type: "string" }, { type: "integer" }] },
      },
    };
    expect(toolFields(optional).map((field) => [field.name, field.kind])).toEqual([["limit", "integer"], ["label", "text"], ["either", "json"]]);
    expect(initialValues(optional)).toEqual({ limit: "", label: "", either: "" });
    expect(argumentsFrom(optional, { limit: "5", label: "", either: "7" }).args).toEqual({ limit: 5, either: 7 });
  });
});
