import { describe, expect, it } from "vitest";
import { capabilitiesOfSession, newWorkspaceSessionId } from "@/lib/gateway/workspace-session";

describe("the workspace endpoint's session id", () => {
  it("carries what the client can answer from initialize to every later POST", () => {
    const full = { elicitation: { form: {}, url: {} }, sampling: { tools: {}, context: {} }, roots: { listChanged: true } };
    expect(capabilitiesOfSession(newWorkspaceSessionId(full))).toEqual({ elicitation: { form: {}, url: {} }, sampling: { context: {}, tools: {} }, roots: {} });
    // An empty elicitation capability is form mode (2025-06-18 clients).
    expect(capabilitiesOfSession(newWorkspaceSessionId({ elicitation: {} }))).toEqual({ elicitation: { form: {} } });
    expect(capabilitiesOfSession(newWorkspaceSessionId({ elicitation: { url: {} } }))).toEqual({ elicitation: { url: {} } });
    expect(capabilitiesOfSession(newWorkspaceSessionId({}))).toEqual({});
  });

  it("is new every time, and an id the gateway didn't make can answer nothing", () => {
    expect(newWorkspaceSessionId({})).not.toBe(newWorkspaceSessionId({}));
    for (const foreign of [undefined, "", "abc.fsr", `${"z".repeat(36)}.fsr`, `00000000-0000-4000-8000-000000000000.fsr${"x".repeat(100)}`]) {
      expect(capabilitiesOfSession(foreign)).toEqual({});
    }
  });
});
