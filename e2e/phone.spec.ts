// On a 390 px phone: no page scrolls sideways, the navigation is a menu, and every admin action —
// Edit, Delete, Revoke, the user menu's Sign out — is on screen and works.
import { expect, test } from "./fixtures";
import { createProvider, unique } from "./helpers";
import { SERVERS } from "./users";

test.use({ viewport: { width: 390, height: 800 } });

test("the navigation is a menu, and the user menu is on screen", async ({ page }) => {
  await page.goto("/settings/providers");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  const menu = page.getByRole("button", { name: "Menu", exact: true });
  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden(); // following a link closes it

  await menu.click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.keyboard.press("Escape"); // focus is still on the button
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await menu.click();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link").first().focus();
  await page.keyboard.press("Escape"); // from inside the menu
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await expect(menu).toBeFocused();

  await page.getByRole("button", { name: "User menu" }).click();
  await expect(page.getByRole("menuitem", { name: "Sign out" })).toBeInViewport({ ratio: 1 });
  await page.keyboard.press("Tab"); // focus leaving the menu closes it
  await expect(page.getByRole("menuitem", { name: "Sign out" })).toBeHidden();
});

test("a provider's Edit and Delete are in its row's menu, and focus comes back to it", async ({ page, request }) => {
  const provider = await createProvider(request, SERVERS.enterprise, { name: `Phone ${unique("")}` });
  await page.goto("/settings/providers");
  await page.getByLabel("Search providers").fill(provider.server_identifier);
  const actions = page.getByRole("button", { name: `Actions for ${provider.name}` });
  await expect(actions).toBeInViewport({ ratio: 1 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);

  await actions.click();
  await page.getByRole("menuitem", { name: "Edit" }).click();
  await expect(page.getByRole("dialog", { name: `Edit ${provider.name}` })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(actions).toBeFocused();

  await actions.click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  await expect(page.getByRole("alertdialog")).toBeVisible(); // an Escape before it opens would clear the search box instead
  await page.keyboard.press("Escape");
  await expect(actions).toBeFocused();

  await actions.click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm.getByRole("button", { name: "Delete provider" })).toBeInViewport({ ratio: 1 });
  await confirm.getByRole("button", { name: "Delete provider" }).click();
  await expect(page.getByText("No provider matches your search.")).toBeVisible();
  await expect(page.locator("main")).toBeFocused(); // its row is gone: focus stays on the page, not at the top

});
