// Every page and dialog, scanned by axe-core in both colour schemes on a desktop and a phone: no
// violations, and nothing wider than the screen (a page that scrolls sideways hides its actions).
import { expect, test } from "@playwright/test";
import { accessibilityProblems } from "./support/axe";
import { createProvider, unique } from "./helpers";
import { startEverythingServer } from "./support/everything-server";
import { SERVERS } from "./users";

const base = SERVERS.enterprise;

// The official reference server: a provider with real tools to try.
let everything: Awaited<ReturnType<typeof startEverythingServer>>;
test.beforeAll(async () => { everything = await startEverythingServer(); });
test.afterAll(async () => { await everything.stop(); });

for (const scheme of ["light", "dark"] as const) {
  for (const width of [1280, 390]) {
    test(`every page and dialog passes axe, ${scheme}, ${width} px`, async ({ page, request }) => {
      test.setTimeout(120_000);
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 800 });
      const provider = await createProvider(request, base, { name: `Axe ${unique("")}`, server_url: `${everything.url}?scan=${unique("")}` });
      const found: string[] = [];
      const check = async (where: string) => { found.push(...(await accessibilityProblems(page, where))); };

      for (const path of ["/settings/providers", `/settings/providers/${provider.id}`, "/activity", "/settings/api-tokens", "/settings/connected-apps", "/settings/members", "/api-reference", "/settings/providers/00000000-0000-4000-8000-000000000000"]) {
        await page.goto(path);
        await page.getByRole("heading", { level: 1 }).waitFor();
        await page.waitForLoadState("networkidle");
        await check(path);
      }

      await page.goto(`/settings/providers/${provider.id}`);
      await page.getByRole("listitem", { name: "Tool echo" }).getByRole("button", { name: "Try it" }).click();
      await check("provider page, Try it open");

      await page.goto("/settings/providers");
      await page.getByLabel("Search providers").fill(provider.server_identifier);
      if (width < 640) {
        await page.getByRole("button", { name: "Menu", exact: true }).click();
        await check("phone menu open");
        await page.keyboard.press("Escape");
        await page.getByRole("button", { name: `Actions for ${provider.name}` }).click();
        await check("row actions menu open");
        await page.getByRole("menuitem", { name: "Delete" }).click();
      } else {
        await page.getByRole("button", { name: `Delete ${provider.name}` }).click();
      }
      await page.getByRole("alertdialog").waitFor();
      await check("delete confirmation");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "User menu" }).click();
      await check("user menu open");
      await page.keyboard.press("Escape");

      if (width < 640) {
        await page.getByRole("button", { name: `Actions for ${provider.name}` }).click();
        await page.getByRole("menuitem", { name: "Edit" }).click();
      } else {
        await page.getByRole("button", { name: `Edit ${provider.name}` }).click();
      }
      await page.getByRole("dialog").waitFor();
      await check("edit provider dialog");
      await page.getByRole("dialog").getByLabel("Name", { exact: true }).fill("Changed");
      await page.keyboard.press("Escape");
      await page.getByRole("alertdialog", { name: "Discard your changes?" }).waitFor();
      await check("discard question");
      await page.getByRole("button", { name: "Discard" }).click();

      await page.getByLabel("Workspace").selectOption({ label: "New workspace…" });
      await page.getByRole("dialog", { name: "New workspace" }).waitFor();
      await check("new workspace dialog");
      await page.keyboard.press("Escape");

      await page.getByRole("button", { name: "+ Add provider" }).click();
      await page.getByRole("dialog").waitFor();
      await check("new provider dialog");
      for (const tab of ["Headers", "Configuration"]) {
        await page.getByRole("dialog").getByRole("tab", { name: new RegExp(tab) }).click();
        await check(`new provider dialog, ${tab} tab`);
      }
      await page.keyboard.press("Escape");

      await page.goto("/settings/api-tokens");
      await page.getByRole("button", { name: "+ Create token" }).click();
      await check("new token dialog");
      await page.getByRole("dialog").getByLabel("Name", { exact: true }).fill(unique("axe-"));
      await page.getByRole("dialog").getByRole("button", { name: "Create token" }).click();
      await page.getByRole("dialog").getByLabel("New API token").waitFor();
      await check("token shown once");
      await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
      await page.getByRole("dialog").getByRole("button", { name: "Copy" }).click();
      await page.getByText("Token copied").waitFor();
      await check("success toast");

      await page.context().clearCookies();
      await page.goto("/signin");
      await check("/signin");
      const icon = await page.locator('link[rel="icon"]').first().getAttribute("href");
      expect((await page.request.get(new URL(icon ?? "/missing", base).href)).status(), "the favicon loads signed out").toBe(200);

      expect(found, found.join("\n")).toEqual([]);
    });
  }
}
