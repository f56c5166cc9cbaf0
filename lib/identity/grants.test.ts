// What each identity mode sends to the SSO provider's token endpoint (SPEC §10).
import { describe, expect, it } from "vitest";
import { exchangeForm, type SubjectTokens } from "@/lib/identity/grants";
import type { IssueTokenRequest } from "@/lib/identity/types";

const SERVER = "https://mcp.example.com/mcp";
const tokens = { accessToken: "users-access-token", idToken: "users-id-token" };
const base = { userId: "u1", workspaceId: "w1" };

function form(request: Omit<IssueTokenRequest, "userId" | "workspaceId">, subject: SubjectTokens = tokens) {
  return exchangeForm({ ...base, ...request }, subject);
}

describe("exchangeForm", () => {
  it("token_exchange: RFC 8693 of the user's access token, audience and resource the server", () => {
    expect(form({ mode: "token_exchange", audience: SERVER, resource: SERVER })).toEqual({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: "users-access-token",
      subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
      requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
      audience: SERVER,
      resource: SERVER,
    });
  });

  it("token_exchange of the ID token when the provider says so, with its scope", () => {
    expect(form({ mode: "token_exchange", audience: SERVER, subjectTokenType: "id_token", scope: "mcp:tools" })).toMatchObject({
      subject_token: "users-id-token",
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      resource: SERVER,
      scope: "mcp:tools",
    });
  });

  it("entra_obo: a jwt-bearer grant on behalf of the user, with the user's access token as the assertion and the server's scope", () => {
    expect(form({ mode: "token_exchange", audience: SERVER, profile: "entra_obo", scope: "api://server/.default", subjectTokenType: "id_token" })).toEqual({
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      requested_token_use: "on_behalf_of",
      assertion: "users-access-token",
      scope: "api://server/.default",
    });
  });

  it("id_jag: an ID-JAG from the user's ID token, for the authorization server, for the server", () => {
    expect(form({ mode: "id_jag", audience: "https://auth.example.com", resource: SERVER })).toEqual({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: "users-id-token",
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:ietf:params:oauth:token-type:id-jag",
      audience: "https://auth.example.com",
      resource: SERVER,
    });
  });

  it.each([
    ["an ID token the refresh didn't bring", { mode: "id_jag", audience: "https://auth.example.com", resource: SERVER }, { accessToken: "a" }, "token_error"],
    ["on-behalf-of without a scope", { mode: "token_exchange", audience: SERVER, profile: "entra_obo" as const }, tokens, "token_error"],
    ["an ID-JAG without the server as its resource", { mode: "id_jag", audience: "https://auth.example.com" }, tokens, "token_error"],
    ["a mode that exchanges nothing", { mode: "idp_token", audience: SERVER }, tokens, "unsupported_mode"],
  ])("fails closed on %s", (_what, request, subject, failure) => {
    expect(() => form(request, subject)).toThrow(expect.objectContaining({ failure }));
  });
});
