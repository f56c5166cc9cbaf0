// OAuth 2.1 for MCP clients, with the MCP SDK's own OAuth client: it discovers the console's
// authorization server from the gateway's 401, registers itself, and the user authorises it on the
// console's consent screen in Chromium; its token then reaches the provider it was granted — and
// nothing else — until the user revokes it under Connected apps.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { MemoryOAuthClient } from "./support/oauth-client";
import { startEverythingServer } from "./support/everything-server";
import { api, unique } from "./helpers";
import { SERVERS } from "./users";
import { accessibilityProblemsEverywhere } from "./support/axe";

const base = SERVERS.enterprise;
// Nothing listens here: the browser's visit to the client's redirect URI is caught by the test.
const REDIRECT = "http://127.0.0.1:3189/callback";

/** Starts the SDK client's connection: it finds out it must be authorised, and where. */
async function startAuthorization(auth: MemoryOAuthClient, url: URL) {
  const client = new Client({ name: "oauth-e2e", version: "1.0.0" });
  await expect(client.connect(new StreamableHTTPClientTransport(url, { authProvider: auth }))).rejects.toBeInstanceOf(UnauthorizedError);
  expect(auth.authorizationUrl).toBeDefined();
  return auth.authorizationUrl as URL;
}

/** What the browser brings back to the client's redirect URI. */
async function catchRedirect(page: Page): Promise<() => URLSearchParams | undefined> {
  let answer: URLSearchParams | undefined;
  await page.route(`${REDIRECT}**`, async (route) => {
    answer = new URL(route.request().url()).searchParams;
    await route.fulfill({ contentType: "text/plain", body: "You can close this window." });
  });
  return () => answer;
}

async function finish(auth: MemoryOAuthClient, url: URL, code: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(url, { authProvider: auth });
  await transport.finishAuth(code);
  const client = new Client({ name: "oauth-e2e", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

async function initializeWith(url: string, accessToken: string): Promise<number> {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }),
  });
  await res.body?.cancel();
  return res.status;
}

test("an MCP client authorised on the consent screen calls tools as its user, only where granted, until revoked", async ({ page, request }) => {
  const server = await startEverythingServer();
  try {
    const identifier = unique("oa");
    const created = await api(request, base)("POST /api/v1/mcp-providers", { body: { name: `OAuth ${identifier}`, server_identifier: identifier, server_url: server.url } });
    expect(created.status).toBe(201);
    const endpoint = new URL(`${base}/mcp/${identifier}`);
    const appName = `Agent ${identifier}`;
    const auth = new MemoryOAuthClient(REDIRECT, appName);

    const authorizationUrl = await startAuthorization(auth, endpoint);
    expect(authorizationUrl.searchParams.get("resource")).toBe(endpoint.href);
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");

    const redirected = await catchRedirect(page);
    await page.goto(authorizationUrl.href);
    await expect(page.getByRole("heading", { name: `Allow ${appName} to use MCP Console as you?` })).toBeVisible();
    await expect(page.getByText("127.0.0.1:3189")).toBeVisible();
    await expect(page.getByText(`List and call the tools of ${identifier}`)).toBeVisible();
    expect(await accessibilityProblemsEverywhere(page, "consent screen")).toEqual([]);
    await page.getByRole("button", { name: "Allow" }).click();
    await expect.poll(() => redirected()?.toString()).toContain("code=");

    const client = await finish(auth, endpoint, redirected()?.get("code") ?? "");
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain("echo");
    const echoed = await client.callTool({ name: "echo", arguments: { message: "hello over OAuth" } });
    expect(JSON.stringify(echoed.content)).toContain("hello over OAuth");
    const tokens = auth.tokens();
    expect(tokens?.refresh_token).toBeTruthy();
    const accessToken = tokens?.access_token ?? "";

    // Bound to the one provider it was granted for: the whole workspace and other providers refuse it.
    expect(await initializeWith(`${base}/mcp`, accessToken)).toBe(401);
    expect(await initializeWith(`${base}/mcp/${unique("other")}`, accessToken)).toBe(401);

    // The user sees it under Connected apps, and revokes it: its next call is refused.
    await page.goto("/settings/connected-apps");
    const row = page.getByRole("row").filter({ hasText: appName });
    await expect(row).toContainText("127.0.0.1:3189");
    await expect(row).toContainText("just now");
    await row.getByRole("button", { name: `Revoke ${appName}` }).click();
    await page.getByRole("button", { name: "Revoke app" }).click();
    await expect(page.getByText(`Revoked ${appName}`)).toBeVisible();
    await expect(row).toHaveCount(0);
    expect(await initializeWith(endpoint.href, accessToken)).toBe(401);
    // Its refresh token is gone with the grant.
    const refreshed = await fetch(`${base}/oidc/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens?.refresh_token ?? "", client_id: auth.clientInformation()?.client_id ?? "" }),
    });
    expect(refreshed.status).toBe(400);
    expect(((await refreshed.json()) as { error: string }).error).toBe("invalid_grant");
  } finally {
    await server.stop();
  }
});

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("an SSO user signs in on the way to the consent screen; Deny sends the app away with nothing", async ({ page, browser }) => {
    const endpoint = new URL(`${base}/mcp`);
    const appName = `Member agent ${unique("")}`;
    const redirected = await catchRedirect(page);

    const declined = new MemoryOAuthClient(REDIRECT, appName);
    await page.goto((await startAuthorization(declined, endpoint)).href);
    await expect(page).toHaveURL(/\/signin/);
    await page.getByRole("button", { name: "Sign in with SSO" }).click();
    await expect(page.getByRole("heading", { name: "Test identity provider" })).toBeVisible();
    await page.getByLabel("Email").fill("member@e2e.test");
    await page.getByLabel("Password").fill("member-sso-password");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByRole("heading", { name: `Allow ${appName} to use MCP Console as you?` })).toBeVisible();
    await expect(page.getByText("signed in as member@e2e.test")).toBeVisible();
    await expect(page.getByText("List and call the tools of every MCP server in this workspace")).toBeVisible();
    await page.getByRole("button", { name: "Deny" }).click();
    await expect.poll(() => redirected()?.get("error"), { timeout: 15_000 }).toBe("access_denied"); // a signed-out SSO round trip first: slow under load
    expect(redirected()?.get("code")).toBeNull();

    const allowed = new MemoryOAuthClient(REDIRECT, appName);
    await page.goto((await startAuthorization(allowed, endpoint)).href);
    await page.getByRole("button", { name: "Allow" }).click();
    await expect.poll(() => redirected()?.toString()).toContain("code=");
    const client = await finish(allowed, endpoint, redirected()?.get("code") ?? "");
    await client.listTools();

    // The member sees their one app; an admin sees it among everyone's.
    await page.goto(`${base}/settings/connected-apps`);
    await expect(page.getByRole("row").filter({ hasText: appName })).toHaveCount(1);
    await expect(page.getByRole("group", { name: "Whose apps" })).toHaveCount(0);
    const admin = await browser.newPage({ storageState: "e2e/.auth/enterprise-owner.json" });
    await admin.goto(`${base}/settings/connected-apps`);
    await admin.getByRole("button", { name: "Everyone" }).click();
    await expect(admin.getByRole("row").filter({ hasText: appName })).toContainText("member@e2e.test");
    await admin.close();
  });
});
