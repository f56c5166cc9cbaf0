import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError, problemResponse, toProblem, validationError } from "@/lib/api/errors";
import { aString } from "@/tests/support/matchers";

describe("problem+json", () => {
  it("renders the SPEC's shape with the code's status", async () => {
    const res = problemResponse(new ApiError("conflict", "Duplicate", { errors: [{ path: "name", message: "taken" }] }));
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toEqual({
      type: "https://mcp-console.dev/problems/conflict",
      title: "Conflict",
      status: 409,
      detail: "Duplicate",
      code: "conflict",
      errors: [{ path: "name", message: "taken" }],
    });
  });

  it.each([
    ["unauthenticated", 401], ["forbidden", 403], ["not_found", 404], ["conflict", 409],
    ["precondition_failed", 412], ["payload_too_large", 413], ["validation_failed", 422], ["rate_limited", 429],
  ] as const)("%s is %i", (code, status) => {
    expect(toProblem(new ApiError(code, "x")).status).toBe(status);
  });
});

describe("validationError", () => {
  it("lists each invalid field by dotted path, and each unknown field by name", () => {
    const schema = z.strictObject({ a: z.strictObject({ b: z.number() }), h: z.record(z.string().regex(/^X/, "starts with X"), z.string()) });
    const result = schema.safeParse({ a: { b: "x", c: 1 }, h: { Y: "1" }, extra: true });
    if (result.success) throw new Error("the sample should be invalid");
    const error = validationError(result.error);
    expect(error.code).toBe("validation_failed");
    expect(error.options.errors).toEqual(
      expect.arrayContaining([
        { path: "a.b", message: aString() },
        { path: "a.c", message: "Unknown field" },
        { path: "extra", message: "Unknown field" },
        { path: "h.Y", message: "starts with X" },
      ]),
    );
  });
});
