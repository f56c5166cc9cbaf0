// No forwarding, no OAuth: the provider's own URL and headers, the same for every caller.
import type { CredentialStrategy } from "@/lib/credentials/types";
import type { Target } from "@/lib/credentials/target";

export function staticHeadersStrategy(target: Target): CredentialStrategy {
  const credential = { url: target.serverUrl, headers: target.headers, forwarded: false, mode: "off", validUntil: Number.POSITIVE_INFINITY };
  return {
    kind: "static_headers",
    label: "off",
    forwarded: false,
    credential: () => Promise.resolve(credential),
    credentialNow: () => credential,
    // The provider's credentials are what they are: a refusal stands, and an admin checks them.
    afterRefusal: () => Promise.resolve(undefined),
    describe: () => Promise.resolve({ strategy: "static_headers", audience: null, needs: "Nothing from an identity provider: the provider's own headers go with every call." }),
  };
}
