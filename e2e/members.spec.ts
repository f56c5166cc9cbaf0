// Several workspaces per user, in Chromium: create one from the header's switcher, switch into it
// (nothing of the first shows), and back. (Invitations: members.community.spec.ts.)
import { expect, test } from "./fixtures";
import { createProvider, signIn, unique } from "./helpers";
import { SERVERS, USERS } from "./users";

test.describe("in a session of its own", () => {
  // Switching moves a session: not the one the other tests share.
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a second workspace: create, switch, and back", async ({ page }) => {
    await signIn(page, USERS.owner);
    const mine = await createProvider(page.request, SERVERS.enterprise);
    await page.reload();
    await expect(page.getByTestId(`provider-row-${mine.server_identifier}`)).toBeVisible();
    const switcher = page.getByLabel("Workspace");
    const home = await switcher.locator("option:checked").textContent();
    const name = unique("Side ");
    await switcher.selectOption({ label: "New workspace…" });
    const dialog = page.getByRole("dialog", { name: "New workspace" });
    await dialog.getByLabel("Name").fill(name);
    await dialog.getByRole("button", { name: "Create and switch" }).click();
    await expect(switcher.locator("option:checked")).toHaveText(name);
    await expect(page.getByRole("heading", { name: "No MCP providers yet" })).toBeVisible();
    await switcher.selectOption({ label: home ?? "" });
    await expect(switcher.locator("option:checked")).toHaveText(home ?? "");
    await expect(page.getByTestId(`provider-row-${mine.server_identifier}`)).toBeVisible();
  });
});
