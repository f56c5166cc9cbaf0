import { describe, expect, it } from "vitest";
import { providerHealth } from "@/components/providers/discovery-status";
import { failureAdvice } from "@/lib/providers/health-advice";
import type { Provider } from "@/lib/providers/schemas";

/** A provider whose last discovery failed with `failure`. */
function provider(failure: "identity" | "unauthorized", overrides: Partial<Provider>): Provider {
  return {
    identity_mode: "off",
    authentication: null,
    discovery: { status: "failed", failure, message: "refused", checked_at: "2026-12-06T20:00:00.000Z" },
    tools_fetched_at: null,
    ...overrides,
  } as Provider;
}

const oauth = (connection: "shared" | "per_user", grant_type: "authorization_code" | "client_credentials" | "jwt_bearer" = "authorization_code") => ({ type: "oauth" as const, connection, client_id: null, client_secret: null, grant_type, private_key: null, scope: null });

describe("a failed check's advice", () => {
  it("offers a forwarding provider without OAuth the SSO sign-in only, not a Connect it doesn't have", () => {
    const next = providerHealth(provider("identity", { identity_mode: "idp_token" }), "page").next;
    expect(next).toBe("Sign in again with SSO: your sign-in is what its calls carry.");
    expect(next).not.toMatch(/connect/i);
  });

  it("offers a per-user OAuth provider the Connect, named from where it is read", () => {
    expect(providerHealth(provider("identity", { authentication: oauth("per_user") }), "page").next).toBe("Connect your account with Connect on this page.");
    expect(providerHealth(provider("identity", { authentication: oauth("per_user") })).next).toBe("Connect your account on the provider's page.");
    expect(failureAdvice("identity", { forwarding: false, oauth: "per_user", where: { dialog: { saved: false } } })).toBe("Save it, then connect your account on its page.");
  });

  it("sends a shared connection to an admin, and offers both ways when a provider has both", () => {
    expect(failureAdvice("identity", { forwarding: false, oauth: "shared", where: "list" })).toBe("An admin connects it for the workspace on the provider's page.");
    expect(failureAdvice("identity", { forwarding: true, oauth: "per_user", where: "page" })).toBe("Sign in again with SSO: your sign-in is what its calls carry, or connect your account with Connect on this page.");
  });

  it("for refused credentials, names OAuth only when the provider has it", () => {
    expect(providerHealth(provider("unauthorized", {}), "page").next).toBe("Check the credentials in the provider's headers.");
    expect(providerHealth(provider("unauthorized", { authentication: oauth("per_user") }), "page").next).toBe("Check its OAuth settings under Authentication, or connect your account with Connect on this page.");
  });

  it.each(["client_credentials", "jwt_bearer"] as const)("never offers a Connect for a machine grant (%s): the console gets its own tokens, so its client is what to check", (grant) => {
    for (const failure of ["identity", "unauthorized"] as const) {
      for (const where of ["page", "list"] as const) {
        const health = providerHealth(provider(failure, { authentication: oauth("shared", grant) }), where);
        if (failure === "identity") expect(health.label).toBe("No token for the console");
        const next = health.next;
        expect(next).toBe("Check the client ID and its secret or private key under Authentication: the console gets its own tokens, there is nothing to connect.");
      }
    }
    expect(failureAdvice("unauthorized", { forwarding: false, oauth: "machine", where: { dialog: { saved: false } } })).not.toMatch(/connect it|Connect on|connect your/);
  });
});
