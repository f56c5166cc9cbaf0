// Identity forwarding in the browser: sign in through the real IdP, register a provider with
// forwarding on, and "Try it" on whoami shows your own subject; a second user sees theirs; a
// user signed in locally is told to sign in with SSO, and the server receives nothing of theirs.
import type { Page } from "@playwright/test";
import { expect, hydrating, test } from "./fixtures";
import type { ApiResult } from "@/lib/client/api";
import { api, saveProviderDialog, signInWithSso, unique } from "./helpers";
import { IDENTITY, SERVERS, USERS } from "./users";

const base = SERVERS.enterprise;

test.use({ storageState: { cookies: [], origins: [] } });

async function tryWhoami(page: Page, providerName: string) {
  await page.goto(`${base}/settings/providers`);
  await page.getByRole("link", { name: providerName }).click();
  const tool = page.getByRole("listitem", { name: "Tool whoami" });
  await tool.getByRole("button", { name: "Try it" }).click();
  await tool.getByRole("button", { name: "Call whoami" }).click();
  return tool;
}

test("SSO users call whoami as themselves; a local sign-in is told to use SSO", async ({ browser }) => {
  test.slow(); // three users sign in, two of them through the IdP
  const name = `Whoami ${unique("")}`;

  // The owner signs in with SSO (linked to their account by email) and registers the server.
  const ownerContext = await browser.newContext();
  const owner = hydrating(await ownerContext.newPage());
  await signInWithSso(owner, base, "owner@e2e.test", "owner-sso-password");
  // One provider per server URL and workspace: clear what an earlier attempt left behind.
  // Every page: other tests add many providers.
  const stale: string[] = [];
  for (let cursor: string | null = ""; cursor !== null; ) {
    const page: { json: ApiResult<"GET /api/v1/mcp-providers"> } = await api(owner.request, base)("GET /api/v1/mcp-providers", { query: { limit: "100", ...(cursor ? { cursor } : {}) } });
    stale.push(...page.json.data.filter((provider) => provider.server_url.startsWith("http://127.0.0.1:3191/")).map((provider) => provider.id));
    cursor = page.json.next_cursor;
  }
  for (const id of stale) await owner.request.delete(`${base}/api/v1/mcp-providers/${id}`, { headers: { origin: base } });
  await owner.getByRole("button", { name: "+ Add provider" }).click();
  const dialog = owner.getByRole("dialog");
  await dialog.getByLabel("Server URL").fill(IDENTITY.whoamiUrl);
  await dialog.getByLabel("Name", { exact: true }).fill(name);
  await dialog.getByLabel("Server identifier").fill(unique("who"));
  await dialog.getByRole("switch", { name: "Forward the user's identity" }).click();
  await saveProviderDialog(dialog, "Add provider", /never passes/);
  await expect(dialog).toBeHidden();
  const listed = owner.getByRole("row", { name: new RegExp(name) });
  await expect(listed).toContainText("1 tool"); // discovery ran as the owner, with their token

  const ownerTool = await tryWhoami(owner, name);
  await expect(ownerTool.getByTestId("tool-result-text")).toHaveText("owner-sub");

  // A second user, a member, signs in with SSO and sees their own subject.
  const memberContext = await browser.newContext();
  const member = hydrating(await memberContext.newPage());
  await signInWithSso(member, base, "member@e2e.test", "member-sso-password");
  const memberTool = await tryWhoami(member, name);
  await expect(memberTool.getByTestId("tool-result-text")).toHaveText("member-sub");

  // A user who only ever signed in locally (no SSO session) gets an actionable error instead.
  const localContext = await browser.newContext();
  const local = hydrating(await localContext.newPage());
  await local.goto(`${base}/signin`);
  await local.getByLabel("Email").fill(USERS.local.email);
  await local.getByLabel("Password").fill(USERS.local.password);
  await local.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(local.getByRole("heading", { name: "MCP providers", exact: true })).toBeVisible();
  const localTool = await tryWhoami(local, name);
  await expect(localTool.getByRole("alert")).toContainText(`Sign in with SSO again to use ${name}`);
  await expect(localTool.getByRole("button", { name: `Sign in with SSO to use ${name}` })).toBeVisible();

  await Promise.all([ownerContext.close(), memberContext.close(), localContext.close()]);
});

test("an SSO identity whose email is not verified can't take over the account with that email", async ({ browser }) => {
  const context = await browser.newContext();
  const page = hydrating(await context.newPage());
  // Mallory's IdP account claims owner@e2e.test without saying it is verified.
  await signInWithSso(page, base, "owner@e2e.test", "mallory-sso-password");
  await expect(page.getByRole("button", { name: "+ Add provider" })).toHaveCount(0); // not the owner
  const features = await api(page.request, base)("GET /api/v1/features");
  expect(features.json.role).toBe("member");
  await context.close();
});
