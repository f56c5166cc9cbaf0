// The browser tests' `test`: Playwright's, with a page that is used only once React has hydrated it.
// A click or key press that reaches server-rendered HTML before its handlers are attached is lost
// (seen under load as a dialog that never opened), so every goto and reload waits for the mark
// components/hydration-mark.tsx sets. Pages a test opens itself go through `hydrating`; navigations a click starts wait with `untilHydrated`.
import { test as base, type Page } from "@playwright/test";

export { expect } from "@playwright/test";

/** Waits until the page on screen has been hydrated. */
export async function untilHydrated(page: Page) {
  await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });
}

/** The page, with goto and reload that return once the console's page has hydrated. */
export function hydrating(page: Page): Page {
  const goto = page.goto.bind(page);
  const reload = page.reload.bind(page);
  const ready = async (response: Awaited<ReturnType<Page["goto"]>>) => {
    if (await isConsolePage(page, response)) await untilHydrated(page);
    return response;
  };
  page.goto = async (url, options) => ready(await goto(url, options));
  page.reload = async (options) => ready(await reload(options));
  return page;
}

export const test = base.extend({
  // With JavaScript off nothing hydrates: the page is what the server sent.
  page: async ({ page, javaScriptEnabled }, provide) => {
    await provide(javaScriptEnabled ? hydrating(page) : page);
  },
});

/** Only the console's own pages hydrate: an API answer, the identity provider's page or an error has no mark. */
async function isConsolePage(page: Page, response: Awaited<ReturnType<Page["goto"]>>) {
  if (!response?.ok() || !(response.headers()["content-type"] ?? "").startsWith("text/html")) return false;
  return page.evaluate(() => document.querySelector('script[src*="/_next/"]') !== null);
}
