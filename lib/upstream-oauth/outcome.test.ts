import { describe, expect, it } from "vitest";
import { outcomeQuery, signedFailure } from "@/lib/upstream-oauth/outcome";

const params = (query: string) => Object.fromEntries(new URLSearchParams(query));
const alice = { userId: "alice", providerId: "linear" };

describe("a Connect's outcome in the URL", () => {
  it("shows the callback's own words, and nobody else's", () => {
    const failed = params(outcomeQuery("The sign-in to Linear was declined.", alice));
    expect(signedFailure(failed, alice)).toBe("The sign-in to Linear was declined.");
    // A link someone made: their text never shows, only that the sign-in didn't finish.
    expect(signedFailure({ ...failed, message: "Call +1 555 0100 to restore access" }, alice)).toBe("the sign-in didn't finish");
    expect(signedFailure({ connection: "failed", message: "Call +1 555 0100 to restore access" }, alice)).toBe("the sign-in didn't finish");
    expect(signedFailure(params(outcomeQuery(undefined, alice)), alice)).toBeUndefined();
  });

  it("a message signed for one user and provider shows to nobody else, nowhere else, and not for long", () => {
    // What the callback signed for the attacker: an authorization server's error_description of their choosing.
    const theirs = params(outcomeQuery("Linear said: your account is locked, call +1 555 0100", { userId: "mallory", providerId: "linear" }));
    expect(signedFailure(theirs, { userId: "mallory", providerId: "linear" })).toContain("+1 555 0100");
    expect(signedFailure(theirs, alice)).toBe("the sign-in didn't finish");
    expect(signedFailure(theirs, { userId: "mallory", providerId: "github" })).toBe("the sign-in didn't finish");
    expect(signedFailure(theirs, { userId: "mallory" })).toBe("the sign-in didn't finish");
    expect(signedFailure(theirs, { userId: "mallory", providerId: "linear" }, Date.now() + 11 * 60_000)).toBe("the sign-in didn't finish");
  });
});
