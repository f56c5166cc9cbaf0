// axe-core in the browser tests: what it finds on the page as it is now, and how far the page
// reaches past the screen's right edge (a page that scrolls sideways hides its actions).
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";

/** One line per rule broken, with where. */
export async function axeViolations(page: Page, where: string): Promise<string[]> {
  // A toast or dialog still fading in would be measured half-transparent.
  await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== "running"));
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((violation) => `${where}: ${violation.id} — ${violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(" | ")}${violation.nodes.length > 3 ? ` (+${violation.nodes.length - 3})` : ""}`);
}

/** The violations and any sideways overflow of the page as it is now. */
export async function accessibilityProblems(page: Page, where: string): Promise<string[]> {
  const found = await axeViolations(page, where);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (wide > 0) found.push(`${where}: ${wide} px wider than the screen`);
  return found;
}

/** The page as it is, in both colour schemes on a desktop and a phone; left as it was found (light, 1280 px). */
export async function accessibilityProblemsEverywhere(page: Page, where: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    for (const width of [1280, 390]) {
      await page.emulateMedia({ colorScheme });
      await page.setViewportSize({ width, height: 800 });
      found.push(...(await accessibilityProblems(page, `${where}, ${colorScheme}, ${width} px`)));
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1280, height: 720 });
  return found;
}
