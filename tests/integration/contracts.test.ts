// The request helper holds every answer to its endpoint's contract; this is what it refuses.
import { describe, expect, it } from "vitest";
import { errorCodesOf } from "@/lib/api/contract";
import { getProviderContract, deleteProviderContract } from "@/app/api/v1/mcp-providers/[id]/contract";
import { featuresContract } from "@/app/api/v1/features/contract";
import { checkAgainstContract } from "./helpers";

const features = { enterprise_enabled: false, identity_modes: ["off"], sso_enabled: false, role: "member", workspace: { id: "w", name: "W" } };
const problem = (status: number, code: string) => ({ type: "t", title: "T", status, detail: "d", code });

describe("an answer the contract doesn't declare fails the test that got it", () => {
  it("accepts what is declared", () => {
    expect(() => { checkAgainstContract(featuresContract, 200, features); }).not.toThrow();
    expect(() => { checkAgainstContract(deleteProviderContract, 204, undefined); }).not.toThrow();
    expect(() => { checkAgainstContract(getProviderContract, 404, problem(404, "not_found")); }).not.toThrow();
  });

  it("refuses a field the contract doesn't declare, and a body that doesn't parse", () => {
    expect(() => { checkAgainstContract(featuresContract, 200, { ...features, secret: "x" }); }).toThrow(/fields its contract does not declare/);
    expect(() => { checkAgainstContract(featuresContract, 200, { ...features, role: "superuser" }); }).toThrow(/refuses/);
  });

  it("refuses a status the contract doesn't declare, and a body on a 204", () => {
    expect(() => { checkAgainstContract(featuresContract, 201, features); }).toThrow(/does not declare/);
    expect(() => { checkAgainstContract(deleteProviderContract, 204, {}); }).toThrow(/with a body/);
  });

  it("refuses a problem the endpoint may not answer, a 500 included, and anything that isn't a problem", () => {
    expect(errorCodesOf(featuresContract)).not.toContain("conflict");
    expect(() => { checkAgainstContract(featuresContract, 409, problem(409, "conflict")); }).toThrow(/"conflict"/);
    expect(() => { checkAgainstContract(featuresContract, 500, problem(500, "internal_error")); }).toThrow(/internal_error/);
    expect(() => { checkAgainstContract(featuresContract, 401, { error: "nope" }); }).toThrow(/other than a problem/);
  });
});
