import { describe, expect, it } from "vitest";
import { validateArguments } from "@/lib/client/json-schema";

const schema = {
  type: "object",
  properties: { message: { type: "string" }, count: { type: "integer" }, mode: { type: "string", enum: ["a", "b"] }, tags: { type: "array", items: { type: "string" } } },
  required: ["message"],
};

describe("validateArguments", () => {
  it("accepts valid arguments", () => {
    expect(validateArguments(schema, { message: "hi", count: 2, mode: "a", tags: ["x"] })).toEqual([]);
  });

  it("names each problem", () => {
    expect(validateArguments(schema, { count: 1.5, mode: "c", tags: [1] })).toEqual([
      "message is required",
      "count should be integer, not number",
      "mode should be one of \"a\", \"b\"",
      "tags[0] should be string, not integer",
    ]);
    expect(validateArguments(schema, [])).toEqual(["arguments should be object, not array"]);
  });
});
