import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { applyProviderPatch } from "@/lib/providers/merge-patch";
import type { StoredProviderDocument } from "@/lib/providers/record";
import { createProviderSchema } from "@/lib/providers/schemas";

const minimal = { name: "Billing", server_identifier: "billing", server_url: "https://mcp.billing.example/mcp" };
const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const errorsOf = (authentication: Record<string, unknown>) => {
  const result = createProviderSchema.safeParse({ ...minimal, authentication: { type: "oauth", ...authentication } });
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
};

describe("machine-to-machine grants on a provider", () => {
  it("take client_credentials with a secret or a private key, and jwt_bearer with a client ID, on the shared connection", () => {
    expect(errorsOf({ connection: "shared", grant_type: "client_credentials", client_id: "svc", client_secret: "s3cret" })).toEqual([]);
    expect(errorsOf({ connection: "shared", grant_type: "client_credentials", client_id: "svc", private_key: pem })).toEqual([]);
    expect(errorsOf({ connection: "shared", grant_type: "jwt_bearer", client_id: "workload" })).toEqual([]);
  });

  it("refuse what can't work, each on its field", () => {
    expect(errorsOf({ connection: "per_user", grant_type: "client_credentials", client_id: "svc", client_secret: "s3cret" })).toEqual([expect.stringMatching(/^authentication.connection: .*shared/)]);
    expect(errorsOf({ connection: "shared", grant_type: "client_credentials", client_id: "svc" })).toEqual([expect.stringMatching(/^authentication.client_secret: .*secret or a private key/)]);
    expect(errorsOf({ connection: "shared", grant_type: "jwt_bearer" })).toEqual([expect.stringMatching(/^authentication.client_id: /)]);
    expect(errorsOf({ connection: "shared", grant_type: "client_credentials", client_id: "svc", client_secret: "s3cret", private_key: pem })).toEqual([expect.stringMatching(/^authentication.private_key: .*not both/)]);
    expect(errorsOf({ connection: "shared", client_id: "svc", private_key: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----" })).toEqual([expect.stringMatching(/^authentication.private_key: Paste a PKCS#8/)]);
  });

  it("take only keys a client assertion can be signed with here (RSA; EC on P-256, P-384, P-521)", () => {
    const pkcs8 = (key: ReturnType<typeof generateKeyPairSync>["privateKey"]) => key.export({ type: "pkcs8", format: "pem" }).toString();
    const accepted = (privateKey: string) => errorsOf({ connection: "shared", grant_type: "client_credentials", client_id: "svc", private_key: privateKey });
    expect(accepted(pkcs8(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey))).toEqual([]);
    expect(accepted(pkcs8(generateKeyPairSync("ec", { namedCurve: "P-521" }).privateKey))).toEqual([]);
    for (const unsigned of [generateKeyPairSync("ed25519").privateKey, generateKeyPairSync("rsa-pss", { modulusLength: 2048 }).privateKey, generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey]) {
      expect(accepted(pkcs8(unsigned))).toEqual([expect.stringMatching(/^authentication.private_key: .*P-256/)]);
    }
  });

  it("drop the stored private key when the server moves to another origin and it isn't sent again", () => {
    const doc: StoredProviderDocument = {
      ...createProviderSchema.parse({ ...minimal, authentication: { type: "oauth", connection: "shared", grant_type: "client_credentials", client_id: "svc", private_key: pem } }),
    };
    const moved = applyProviderPatch(doc, { server_url: "https://elsewhere.example/mcp", authentication: { private_key: null, client_secret: "new-secret" } });
    expect(moved.document.authentication).toEqual({ type: "oauth", connection: "shared", grant_type: "client_credentials", client_id: "svc", client_secret: "new-secret" });
    expect(() => applyProviderPatch(doc, { server_url: "https://elsewhere.example/mcp" })).toThrow();
    expect(applyProviderPatch(doc, { name: "Billing 2" }).document.authentication?.private_key).toBe(pem);
  });
});
