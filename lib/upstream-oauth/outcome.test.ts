import { describe, expect, it } from "vitest";
import { outcomeQuery, signedFailure } from "@/lib/upstream-oauth/outcome";

const params = (query: string) => Object.fromEntries(new URLSearchParams(query));

describe("a Connect's outcome in the URL", () => {
  it("shows the callback's own words, and nobody else's", () => {
    const failed = params(outcomeQuery("The sign-in to Linear was declined."));
    expect(signedFailure(failed)).toBe("The sign-in to Linear was declined.");
    // A link someone made: their text never shows, only that the sign-in didn't finish.
    expect(signedFailure({ ...failed, message: "Call +1 555 0100 to restore access" })).toBe("the sign-in didn't finish");
    expect(signedFailure({ connection: "failed", message: "Call +1 555 0100 to restore access" })).toBe("the sign-in didn't finish");
    expect(signedFailure(params(outcomeQuery(undefined)))).toBeUndefined();
  });
});
