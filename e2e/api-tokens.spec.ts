import { expect, hydrating, test } from "./fixtures";
import { problemSchema } from "@/lib/api/errors";
import { signIn, unique } from "./helpers";
import { USERS } from "./users";
import { SERVERS } from "./users";

const base = SERVERS.enterprise;

test("create a token (shown once, copyable), use it, revoke it: then it gets 401", async ({ page, request, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const name = unique("ci-");
  await page.goto("/settings/api-tokens");
  await page.getByRole("button", { name: "+ Create token" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name", { exact: true }).fill(name);
  await dialog.getByLabel("Expires").selectOption({ label: "In 30 days" });
  await dialog.getByRole("button", { name: "Create token" }).click();
  const secretField = dialog.getByLabel("New API token");
  await expect(secretField).toHaveValue(/^mcpc_/);
  const token = await secretField.inputValue();
  await expect(dialog.getByRole("button", { name: "Copy" })).toBeFocused();
  await expect(dialog.getByText(`curl -H "Authorization: Bearer ${token}"`)).toBeVisible();
  // Shown once: a stray Escape or click outside doesn't lose it.
  await page.keyboard.press("Escape");
  await page.mouse.click(5, 5);
  await expect(secretField).toBeVisible();
  await dialog.getByRole("button", { name: "Copy" }).click();
  await expect(page.getByText("Token copied")).toBeVisible();
  await dialog.getByRole("button", { name: "I've copied it" }).click();
  await expect(page.getByRole("button", { name: "+ Create token" })).toBeFocused();

  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText(token.slice(0, 12));
  await expect(row).toContainText(/in 30 days|next month/); // expires (30 days is a month, give or take the second it took)

  // The same name again (as a person reads it) is refused on the field.
  await page.getByRole("button", { name: "+ Create token" }).click();
  await dialog.getByLabel("Name", { exact: true }).fill(` ${name.toUpperCase()} `);
  await dialog.getByRole("button", { name: "Create token" }).click();
  await expect(dialog.getByRole("alert")).toContainText("already have a token named");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByText(token)).toHaveCount(0); // never shown again

  const auth = { authorization: `Bearer ${token}` };
  expect((await request.get(`${base}/api/v1/mcp-providers`, { headers: auth })).status()).toBe(200);

  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByRole("row", { name: new RegExp(name) })).toHaveCount(0);
  const revoked = await request.get(`${base}/api/v1/mcp-providers`, { headers: auth });
  expect(revoked.status()).toBe(401);
  expect(problemSchema.parse(await revoked.json()).code).toBe("unauthenticated");
});

test("the API reference renders the OpenAPI document", async ({ page }) => {
  await page.goto("/api-reference");
  await expect(page.getByRole("heading", { name: "MCP Console API" })).toBeVisible();
  const patch = page.getByRole("region", { name: "PATCH /api/v1/mcp-providers/{id}" });
  await expect(patch).toContainText("Merge-patch a provider");
  await expect(patch.getByRole("heading", { name: "Parameters" })).toBeVisible();
  await expect(patch.getByText("curl -X PATCH")).toContainText("Authorization: Bearer $MCP_CONSOLE_TOKEN");
  // `code` in descriptions is rendered as code, not shown as backticks.
  const description = patch.getByText(/A field that is omitted stays unchanged/);
  await expect(description.locator("code").filter({ hasText: "server_url" })).toBeVisible();
  await expect(description).not.toContainText("`");
  // The table of contents leads to each operation.
  await page.getByRole("navigation", { name: "Operations" }).getByRole("link", { name: "Merge-patch a provider" }).click();
  await expect(page).toHaveURL(/#op-updateProvider$/);
  await patch.locator("summary").filter({ hasText: /^JSON/ }).click();
  await expect(patch.getByText('"name": "Linear"').first()).toBeVisible(); // the request's example
});

test("sign out ends the session", async ({ browser }) => {
  const context = await browser.newContext({ storageState: "e2e/.auth/enterprise-owner.json" });
  const page = hydrating(await context.newPage());
  // A fresh session of our own, so signing out doesn't end the one the other tests share — and of a
  // user of its own: signing out ends the user's SSO forwarding everywhere, which the identity specs
  // running meanwhile use for the owner.
  await page.context().clearCookies();
  await page.goto(`${base}/signin`);
  await signIn(page, USERS.local);
  const cookies = await context.cookies();
  await page.getByRole("button", { name: "User menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  // The old cookie no longer works, even if someone kept it.
  const replay = await browser.newContext();
  await replay.addCookies(cookies);
  expect((await replay.request.get(`${base}/api/v1/features`)).status()).toBe(401);
  await replay.close();
  await context.close();
});
