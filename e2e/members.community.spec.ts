// Workspace administration in Chromium, on the console without SSO (where an invitation makes a
// local account; with SSO the identity provider claims it — tests/integration/workspace-admin):
// an owner invites someone; they accept in a fresh browser and see providers but can't add one;
// promoted, they can; removed, their open tab's next action is refused.
import type { Page } from "@playwright/test";
import { expect, hydrating, test, untilHydrated } from "./fixtures";
import { saveProviderDialog, unique } from "./helpers";
import { accessibilityProblemsEverywhere } from "./support/axe";

/** Fills and submits the Add provider dialog. */
async function addProvider(page: Page, id: string) {
  await page.getByRole("button", { name: "+ Add provider" }).click();
  const dialog = page.getByRole("dialog", { name: "Add MCP provider" });
  await dialog.getByLabel("Server URL").fill(`https://mcp.example.com/${id}`);
  await dialog.getByLabel("Name", { exact: true }).fill(`Provider ${id}`);
  await dialog.getByLabel("Server identifier").fill(id);
  await saveProviderDialog(dialog, "Add provider");
  return dialog;
}

test("invite, accept in a fresh browser, promote, remove", async ({ page, browser }) => {
  test.slow(); // two people, three consoles' worth of pages, and eight accessibility scans
  const email = `${unique("invitee")}@example.test`;
  await page.goto("/settings/members");
  await expect(page.getByRole("heading", { name: "Members", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Invite" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite someone" });
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Role").selectOption("member");
  await dialog.getByRole("button", { name: "Create link" }).click();
  const link = await page.getByRole("dialog", { name: "Invitation link" }).getByLabel("Invitation link").inputValue();
  expect(await accessibilityProblemsEverywhere(page, "invitation link dialog")).toEqual([]);
  expect(link).toMatch(/\/invite\/[\w-]+$/);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByText(`${email} · Member`)).toBeVisible();

  // The invitee, in a browser of their own.
  const theirs = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const tab = hydrating(await theirs.newPage());
  await tab.goto(link);
  await expect(tab.getByRole("heading", { name: /Join .* on MCP Console/ })).toBeVisible();
  expect(await accessibilityProblemsEverywhere(tab, "invitation page")).toEqual([]);
  await tab.getByLabel("Your name").fill("Invited Person");
  await tab.getByLabel("Password").fill("a-long-enough-password");
  await tab.getByRole("button", { name: "Create account and join" }).click();
  // The account is made (a password hash), signed in and sent to its new workspace: one long step.
  await expect(tab.getByRole("heading", { name: "MCP providers", exact: true })).toBeVisible({ timeout: 30_000 });
  await untilHydrated(tab);
  await expect(tab.getByRole("button", { name: "+ Add provider" })).toHaveCount(0);

  // Promoted to admin: the same tab can add a provider after a reload.
  await page.reload();
  const row = page.getByTestId(`member-${email}`);
  await expect(row).toContainText("Invited Person");
  // Without mail, the link was shown to the admin: the address is only claimed.
  await expect(row).toContainText("Only claimed");
  await row.getByLabel(`Role of ${email}`).selectOption("admin");
  await expect(page.getByText(`${email} is now an admin`)).toBeVisible();
  await tab.reload();
  const id = unique("inv");
  await addProvider(tab, id);
  await expect(tab.getByTestId(`provider-row-${id}`)).toBeVisible();

  // Removed: the open tab's next action is refused.
  await row.getByRole("button", { name: `Remove ${email}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByTestId(`member-${email}`)).toHaveCount(0);
  // Their open tab's next request is refused, and the console sends them to sign in.
  const status = await tab.evaluate(async (id) => {
    const res = await fetch("/api/v1/mcp-providers", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: `Gone ${id}`, server_identifier: id, server_url: `https://mcp.example.com/${id}` }) });
    return res.status;
  }, unique("gone"));
  expect(status).toBe(401);
  await tab.reload();
  await expect(tab.getByRole("heading", { name: "Sign in to MCP Console" })).toBeVisible();
  await theirs.close();
});

