// The identity modes in the browser, with enterprise on: an admin signed in with SSO picks token
// exchange in the provider form (each mode saying what it needs from the identity provider), sets
// what the mode reads, and "Check as me" shows the claims of the token the next call would carry —
// exchanged at the real test IdP, for the whoami server, never the token itself. Edits send only
// what changed. Without enterprise none of it is rendered.
import { generateKeyPairSync } from "node:crypto";
import { expect, test } from "./fixtures";
import { api, saveProviderDialog, signIn, signInWithSso, unique } from "./helpers";
import { accessibilityProblemsEverywhere } from "./support/axe";
import { IDENTITY, SERVERS, USERS } from "./users";
import { IDENTITY_MODE_NEEDS } from "@/lib/identity/modes";

const base = SERVERS.enterprise;

test.use({ storageState: { cookies: [], origins: [] } });

test("token exchange from the form, then Check as me shows the claims of the user's own token for the server", async ({ page }) => {
  test.slow(); // an SSO sign-in, a save tried against the server, and two axe passes in four layouts
  await signInWithSso(page, base, "owner@e2e.test", "owner-sso-password");
  // A workspace of its own: one provider per server URL and workspace, and identity.spec.ts uses the whoami server in the first one.
  const call = api(page.request, base);
  const workspace = await call("POST /api/v1/workspaces", { body: { name: unique("Modes ") } });
  expect(workspace.status).toBe(201);
  expect((await call("PUT /api/v1/workspaces/current", { body: { workspace_id: workspace.json.id } })).status).toBe(204);

  await page.goto(`${base}/settings/providers`);
  await page.getByRole("button", { name: "+ Add provider" }).click();
  const dialog = page.getByRole("dialog");
  const name = `Exchange ${unique("")}`;
  await dialog.getByLabel("Server URL").fill(IDENTITY.whoamiUrl);
  await dialog.getByLabel("Name", { exact: true }).fill(name);
  await dialog.getByLabel("Server identifier").fill(unique("tx"));
  await dialog.getByRole("switch", { name: "Forward the user's identity" }).click();

  // Each mode with one line on what it needs from the identity provider.
  const modes = dialog.getByRole("group", { name: "How the user's identity is carried" });
  for (const mode of ["idp_token", "token_exchange", "id_jag"] as const) await expect(modes).toContainText(IDENTITY_MODE_NEEDS[mode]);
  await modes.getByLabel(/^Token exchange/).check();
  // On-behalf-of can't work without the server's scope: the form says so on the field, as the API would.
  await dialog.getByLabel(/^Microsoft Entra on-behalf-of/).check();
  await dialog.getByRole("button", { name: "Add provider" }).click();
  await expect(dialog.getByLabel("Scope", { exact: true })).toHaveAccessibleDescription(/On-behalf-of needs the server's scope/);
  expect(await accessibilityProblemsEverywhere(page, "the provider form with token exchange")).toEqual([]);

  await dialog.getByLabel(/^Standard token exchange/).check();
  await dialog.getByLabel(/^ID token/).check();
  const created = page.waitForRequest((req) => req.method() === "POST" && new URL(req.url()).pathname === "/api/v1/mcp-providers");
  await saveProviderDialog(dialog, "Add provider");
  expect((await created).postDataJSON()).toMatchObject({ identity_mode: "token_exchange", identity_settings: { subject_token_type: "id_token" } });
  await expect(dialog).toBeHidden();

  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Check as" })).toHaveValue(""); // admins may check as any member; "me" first
  await page.getByRole("button", { name: "Check as me" }).click();
  const result = page.getByRole("status", { name: "Identity check result" });
  await expect(result).toContainText("Ready as owner@e2e.test");
  await expect(result).toContainText("Token exchange (RFC 8693");
  const claims = result.getByRole("table", { name: "Claims of the token the next call would carry" });
  await expect(claims.getByRole("row", { name: /Subject/ })).toContainText("owner-sub");
  await expect(claims.getByRole("row", { name: /Audience/ })).toContainText(IDENTITY.whoamiUrl);
  await expect(claims.getByRole("row", { name: /Issuer/ })).toContainText(`http://127.0.0.1:${IDENTITY.idpPort}`);
  await expect(claims.getByRole("row", { name: /Expires/ })).toContainText(/in \d+ minutes?/);
  await expect(result).not.toContainText(/eyJ/); // never a token
  await expect(page.getByText(`${name} added`)).toBeHidden({ timeout: 10_000 }); // the toast, out of the picture
  await result.screenshot({ path: test.info().outputPath("check-as-me.png") });
  await page.screenshot({ path: test.info().outputPath("provider-page.png"), fullPage: true });
  expect(await accessibilityProblemsEverywhere(page, "the provider page with a Check as me result")).toEqual([]);

  // Back to the access token: the edit sends only that.
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const edit = page.getByRole("dialog");
  await expect(edit.getByLabel(/^ID token/)).toBeChecked();
  await edit.getByLabel(/^Access token/).check();
  const patched = page.waitForRequest((req) => req.method() === "PATCH");
  await saveProviderDialog(edit, "Save changes");
  expect((await patched).postDataJSON()).toEqual({ identity_settings: { subject_token_type: null } });
  await expect(edit).toBeHidden();
  const checked = page.waitForResponse((res) => new URL(res.url()).pathname.endsWith("/identity-check"));
  await page.getByRole("button", { name: "Check as me" }).click();
  expect(await (await checked).json()).toMatchObject({ strategy: "token_exchange", error: null, claims: { sub: "owner-sub", aud: IDENTITY.whoamiUrl } });
});

test("id_jag asks for the client at the server's authorization server, whose secret is never echoed back", async ({ page }) => {
  await page.goto(`${base}/signin`);
  await signIn(page, USERS.owner);
  await page.getByRole("button", { name: "+ Add provider" }).click();
  const dialog = page.getByRole("dialog");
  const id = unique("jag");
  await dialog.getByLabel("Server URL").fill(`https://mcp.example.com/${id}`);
  await dialog.getByLabel("Name", { exact: true }).fill(`Jag ${id}`);
  await dialog.getByLabel("Server identifier").fill(id);
  await dialog.getByRole("switch", { name: "Forward the user's identity" }).click();
  await dialog.getByLabel(/^Enterprise-Managed Authorization/).check();
  await dialog.getByRole("button", { name: "Add provider" }).click();
  await expect(dialog.getByLabel("Client ID at the server's authorization server")).toHaveAccessibleDescription(/enter its client ID/);
  await dialog.getByLabel("Client ID at the server's authorization server").fill("console-at-as");
  await dialog.getByLabel("Client secret", { exact: true }).fill("jag-client-secret");
  const created = page.waitForResponse((res) => res.request().method() === "POST" && new URL(res.url()).pathname === "/api/v1/mcp-providers");
  await saveProviderDialog(dialog, "Add provider");
  const provider = (await (await created).json()) as { id: string; identity_settings: { client_id: string; client_secret: string } };
  expect(provider.identity_settings).toMatchObject({ client_id: "console-at-as", client_secret: "ja******et" });
  await expect(dialog).toBeHidden();

  await page.goto(`${base}/settings/providers/${provider.id}`);
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const edit = page.getByRole("dialog");
  await expect(edit.getByLabel("Client secret", { exact: true })).toHaveValue("");
  await expect(edit.getByLabel("Client secret", { exact: true })).toHaveAccessibleDescription(/Stored \(ja\*\*\*\*\*\*et\)/);
  // The server's authorization server can't be found (the host doesn't exist): Check as me says why, in the words a call would fail with.
  await edit.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("button", { name: "Check as me" }).click();
  const result = page.getByRole("status", { name: "Identity check result" });
  await expect(result).toContainText("No credential as owner@e2e.test · Enterprise-Managed Authorization (ID-JAG)");
  await expect(result).toContainText(`Jag ${id}`);
});

test("machine grants in Authentication: client credentials with a private key, then a secret — only what changed is sent, and nothing offers Connect", async ({ page }) => {
  const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  await page.goto(`${base}/signin`);
  await signIn(page, USERS.owner);
  await page.getByRole("button", { name: "+ Add provider" }).click();
  const dialog = page.getByRole("dialog");
  const id = unique("m2m");
  await dialog.getByLabel("Server URL").fill(`https://mcp.example.com/${id}`);
  await dialog.getByLabel("Name", { exact: true }).fill(`Machine ${id}`);
  await dialog.getByLabel("Server identifier").fill(id);
  await dialog.getByLabel(/^OAuth — one shared connection/).check();
  await dialog.getByLabel(/^Client credentials/).check();
  await dialog.getByLabel("Client ID", { exact: true }).fill("console-m2m");
  await dialog.getByLabel(/^Private key/).check();
  await dialog.getByLabel("Private key (PKCS#8 PEM)").fill(pem);
  const created = page.waitForResponse((res) => res.request().method() === "POST" && new URL(res.url()).pathname === "/api/v1/mcp-providers");
  await saveProviderDialog(dialog, "Add provider", /No token for the console|Unreachable/);
  const answer = await created;
  expect(answer.request().postDataJSON()).toMatchObject({ authentication: { type: "oauth", connection: "shared", grant_type: "client_credentials", client_id: "console-m2m", private_key: pem } });
  const provider = (await answer.json()) as { id: string; authentication: { private_key: string; client_secret: string | null } };
  expect(provider.authentication).toMatchObject({ private_key: "--******--", client_secret: null });
  await expect(dialog).toBeHidden();

  // The console gets its own tokens: the page explains that, and offers no Connect, whatever the check said.
  await page.goto(`${base}/settings/providers/${provider.id}`);
  await expect(page.getByRole("region", { name: "Workspace connection" })).toContainText("nobody connects");
  await expect(page.getByRole("status").filter({ hasText: "Connection:" })).toContainText("there is nothing to connect", { timeout: 15_000 });
  await expect(page.getByRole("button", { name: new RegExp(`^(Connect Machine|Reconnect|Disconnect)`) })).toHaveCount(0);

  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const edit = page.getByRole("dialog");
  await expect(edit.getByLabel("Private key (PKCS#8 PEM)")).toHaveValue("");
  await expect(edit.getByLabel("Private key (PKCS#8 PEM)")).toHaveAccessibleDescription(/Stored \(--\*\*\*\*\*\*--\)/);
  await edit.getByLabel(/^Client secret/).check();
  await edit.getByLabel("Client secret", { exact: true }).fill("m2m-client-secret");
  const patched = page.waitForRequest((req) => req.method() === "PATCH");
  await saveProviderDialog(edit, "Save changes", /No token for the console|Unreachable/);
  expect((await patched).postDataJSON()).toEqual({ authentication: { client_secret: "m2m-client-secret", private_key: null } });
});

test("without enterprise, neither the mode choice nor Check as me is rendered", async ({ page }) => {
  const community = SERVERS.community;
  await page.goto(`${community}/signin`);
  await signIn(page, USERS.owner);
  const created = await api(page.request, community)("POST /api/v1/mcp-providers", {
    body: { name: unique("Stored mode "), server_identifier: unique("sm"), server_url: `https://mcp.example.com/${unique("")}`, identity_mode: "token_exchange" },
  });
  expect(created.json).toMatchObject({ identity_mode: "token_exchange", identity_forwarding_active: false });
  await page.goto(`${community}/settings/providers/${created.json.id}`);
  await expect(page.getByRole("heading", { name: created.json.name, level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Check as me" })).toHaveCount(0);
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await expect(page.getByRole("dialog").getByLabel("Server URL")).toBeVisible();
  await expect(page.getByRole("dialog").getByRole("group", { name: "How the user's identity is carried" })).toHaveCount(0);
  await expect(page.getByRole("dialog").getByRole("switch")).toHaveCount(0);
});
