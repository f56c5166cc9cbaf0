// The test IdP and the whoami MCP server together, configured for a console at `consoleUrl`.
// Used by the browser tests (Playwright webServer) and by `npm run demo`.
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { startTestIdp, type IdpUser } from "./test-idp";
import { startWhoamiServer } from "./whoami-server";

export const OIDC_CLIENT = { client_id: "mcp-console", client_secret: "mcp-console-dev-secret" };

/** Ports default to ones the system picks. */
export async function startIdentityStack(options: { idpPort?: number; whoamiPort?: number; consoleUrls: string[]; users: IdpUser[] }) {
  const idp = await startTestIdp({
    port: options.idpPort,
    users: options.users,
    clients: [{ ...OIDC_CLIENT, redirect_uris: options.consoleUrls.map((url) => `${url}/api/auth/callback/oidc`) }],
    resources: [],
    // The identity modes a provider may pick beyond idp_token (e2e/identity-modes.spec.ts).
    exchanges: ["token_exchange", "on_behalf_of"],
  });
  const whoami = await startWhoamiServer({ port: options.whoamiPort, issuer: idp.issuer });
  idp.allowResources([whoami.url]);
  return {
    idp,
    whoami,
    stop: async () => {
      await whoami.stop();
      await idp.stop();
    },
  };
}

export const E2E_SSO_USERS: IdpUser[] = [
  { sub: "owner-sub", email: "owner@e2e.test", name: "Owner (SSO)", password: "owner-sso-password" },
  { sub: "member-sub", email: "member@e2e.test", name: "Member (SSO)", password: "member-sso-password" },
  // Claims the owner's email, which this IdP does not say is verified.
  { sub: "mallory-sub", email: "owner@e2e.test", name: "Mallory", password: "mallory-sso-password", emailVerified: undefined },
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { "idp-port": { type: "string" }, "whoami-port": { type: "string" }, console: { type: "string", multiple: true } } });
  const stack = await startIdentityStack({
    idpPort: Number(values["idp-port"]),
    whoamiPort: Number(values["whoami-port"]),
    consoleUrls: values.console ?? [],
    users: E2E_SSO_USERS,
  });
  console.log(`test IdP at ${stack.idp.issuer}, whoami MCP server at ${stack.whoami.url}`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stack.stop().then(() => process.exit(0)));
}
