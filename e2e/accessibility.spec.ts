// Every page and dialog, scanned by axe-core in both colour schemes on a desktop and a phone: no
// violations, and nothing wider than the screen (a page that scrolls sideways hides its actions).
// One test per page or dialog, so a slow scan costs one test's time, and the file's tests run in
// parallel across workers.
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { accessibilityProblems } from "./support/axe";
import { createProvider, unique } from "./helpers";
import { startEverythingServer } from "./support/everything-server";
import { SERVERS } from "./users";

const base = SERVERS.enterprise;
const SCHEMES = ["light", "dark"] as const;
const PHONE = 390;

// A scan of the API reference, the longest page, takes seconds on a busy two-core machine: each
// test makes at most six scans, and has the time for them.
test.describe.configure({ mode: "parallel", timeout: 90_000 });

// The official reference server: a provider with real tools to try.
let everything: Awaited<ReturnType<typeof startEverythingServer>>;
test.beforeAll(async () => { everything = await startEverythingServer(); });
test.afterAll(async () => { await everything.stop(); });

/** The scene `open` leaves on screen, at `width`, in both colour schemes. */
async function problemsInBothSchemes(page: Page, where: string) {
  const found: string[] = [];
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    found.push(...(await accessibilityProblems(page, `${where}, ${colorScheme}`)));
  }
  return found;
}

async function newProvider(page: Page) {
  return createProvider(page.request, base, { name: `Axe ${unique("")}`, server_url: `${everything.url}?scan=${unique("")}` });
}

const pages: Array<[string, (page: Page) => string | Promise<string>]> = [
  ["the provider list", () => "/settings/providers"],
  ["a provider's page", async (page) => `/settings/providers/${(await newProvider(page)).id}`],
  ["the activity page", () => "/activity"],
  ["API tokens", () => "/settings/api-tokens"],
  ["connected apps", () => "/settings/connected-apps"],
  ["members", () => "/settings/members"],
  ["the API reference", () => "/api-reference"],
  ["a provider that isn't there", () => "/settings/providers/00000000-0000-4000-8000-000000000000"],
];

for (const width of [1280, PHONE]) {
  test.describe(`${width} px`, () => {
    test.use({ viewport: { width, height: 800 } });

    for (const [name, pathOf] of pages) {
      test(`${name} passes axe`, async ({ page }) => {
        const path = await pathOf(page);
        await page.goto(path);
        await page.getByRole("heading", { level: 1 }).waitFor();
        await page.waitForLoadState("networkidle");
        const found = await problemsInBothSchemes(page, path);
        expect(found, found.join("\n")).toEqual([]);
      });
    }

    test("Try it passes axe", async ({ page }) => {
      await page.goto(`/settings/providers/${(await newProvider(page)).id}`);
      await page.getByRole("listitem", { name: "Tool echo" }).getByRole("button", { name: "Try it" }).click();
      const found = await problemsInBothSchemes(page, "provider page, Try it open");
      expect(found, found.join("\n")).toEqual([]);
    });

    test("the row's menus, the delete confirmation and the user menu pass axe", async ({ page }) => {
      const provider = await newProvider(page);
      const found: string[] = [];
      await page.goto("/settings/providers");
      await page.getByLabel("Search providers").fill(provider.server_identifier);
      if (width === PHONE) {
        await page.getByRole("button", { name: "Menu", exact: true }).click();
        found.push(...(await problemsInBothSchemes(page, "phone menu open")));
        await page.keyboard.press("Escape");
        await page.getByRole("button", { name: `Actions for ${provider.name}` }).click();
        found.push(...(await problemsInBothSchemes(page, "row actions menu open")));
        await page.getByRole("menuitem", { name: "Delete" }).click();
      } else {
        await page.getByRole("button", { name: `Delete ${provider.name}` }).click();
      }
      await page.getByRole("alertdialog").waitFor();
      found.push(...(await problemsInBothSchemes(page, "delete confirmation")));
      await page.keyboard.press("Escape");
      await expect(page.getByRole("alertdialog")).toBeHidden();
      await page.getByRole("button", { name: "User menu" }).click();
      found.push(...(await problemsInBothSchemes(page, "user menu open")));
      expect(found, found.join("\n")).toEqual([]);
    });

    test("the edit dialog and its discard question pass axe", async ({ page }) => {
      const provider = await newProvider(page);
      const found: string[] = [];
      await page.goto("/settings/providers");
      await page.getByLabel("Search providers").fill(provider.server_identifier);
      if (width === PHONE) {
        await page.getByRole("button", { name: `Actions for ${provider.name}` }).click();
        await page.getByRole("menuitem", { name: "Edit" }).click();
      } else {
        await page.getByRole("button", { name: `Edit ${provider.name}` }).click();
      }
      await page.getByRole("dialog").waitFor();
      found.push(...(await problemsInBothSchemes(page, "edit provider dialog")));
      await page.getByRole("dialog").getByLabel("Name", { exact: true }).fill("Changed");
      await page.keyboard.press("Escape");
      await page.getByRole("alertdialog", { name: "Discard your changes?" }).waitFor();
      found.push(...(await problemsInBothSchemes(page, "discard question")));
      expect(found, found.join("\n")).toEqual([]);
    });

    test("the new workspace dialog passes axe", async ({ page }) => {
      await page.goto("/settings/providers");
      await page.getByLabel("Workspace").selectOption({ label: "New workspace…" });
      await page.getByRole("dialog", { name: "New workspace" }).waitFor();
      const found = await problemsInBothSchemes(page, "new workspace dialog");
      expect(found, found.join("\n")).toEqual([]);
    });

    test("the new provider dialog and its tabs pass axe", async ({ page }) => {
      const found: string[] = [];
      await page.goto("/settings/providers");
      await page.getByRole("button", { name: "+ Add provider" }).click();
      await page.getByRole("dialog").waitFor();
      found.push(...(await problemsInBothSchemes(page, "new provider dialog")));
      for (const tab of ["Headers", "Configuration"]) {
        await page.getByRole("dialog").getByRole("tab", { name: new RegExp(tab) }).click();
        found.push(...(await problemsInBothSchemes(page, `new provider dialog, ${tab} tab`)));
      }
      expect(found, found.join("\n")).toEqual([]);
    });

    test("creating a token, the token shown once and its toast pass axe", async ({ page }) => {
      const found: string[] = [];
      await page.goto("/settings/api-tokens");
      await page.getByRole("button", { name: "+ Create token" }).click();
      found.push(...(await problemsInBothSchemes(page, "new token dialog")));
      await page.getByRole("dialog").getByLabel("Name", { exact: true }).fill(unique("axe-"));
      await page.getByRole("dialog").getByRole("button", { name: "Create token" }).click();
      await page.getByRole("dialog").getByLabel("New API token").waitFor();
      found.push(...(await problemsInBothSchemes(page, "token shown once")));
      await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
      await page.getByRole("dialog").getByRole("button", { name: "Copy" }).click();
      await page.getByText("Token copied").waitFor();
      found.push(...(await problemsInBothSchemes(page, "success toast")));
      expect(found, found.join("\n")).toEqual([]);
    });

    test("the sign-in page passes axe, and its favicon loads", async ({ browser }) => {
      const context = await browser.newContext({ baseURL: base, viewport: { width, height: 800 }, storageState: { cookies: [], origins: [] } });
      const page = await context.newPage();
      await page.goto("/signin");
      await page.getByRole("heading", { level: 1 }).waitFor();
      const found = await problemsInBothSchemes(page, "/signin");
      const icon = await page.locator('link[rel="icon"]').first().getAttribute("href");
      expect((await page.request.get(new URL(icon ?? "/missing", base).href)).status(), "the favicon loads signed out").toBe(200);
      await context.close();
      expect(found, found.join("\n")).toEqual([]);
    });
  });
}
