// axe-core in the browser tests: what it finds on the page as it is now, and how far the page
// reaches past the screen's right edge (a page that scrolls sideways hides its actions).
import axe from "axe-core";
import type { Page } from "@playwright/test";

type Violation = { id: string; targets: string[] };
/** The page's window, once axe is in it. */
type AxeWindow = { axe?: typeof axe };

/**
 * One line per rule broken, with where. axe goes into the page once per document and runs there:
 * the console has no frames, so a run in the page sees all of it. (AxeBuilder, from
 * @axe-core/playwright, puts axe in twice and finishes every scan in a new tab of its own: ten
 * times the time of the scan itself on a small page.)
 */
export async function axeViolations(page: Page, where: string): Promise<string[]> {
  // A toast or dialog still fading in would be measured half-transparent.
  await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== "running"));
  if (!(await page.evaluate(() => typeof (window as AxeWindow).axe?.run === "function"))) await page.evaluate(axe.source);
  const violations = await page.evaluate(async (): Promise<Violation[]> => {
    const { axe: inPage } = window as AxeWindow;
    if (!inPage) throw new Error("axe-core did not load into the page");
    const { violations } = await inPage.run(document);
    return violations.map(({ id, nodes }) => ({ id, targets: nodes.map((node) => node.target.join(" ")) }));
  });
  return violations.map(({ id, targets }) => `${where}: ${id} — ${targets.slice(0, 3).join(" | ")}${targets.length > 3 ? ` (+${targets.length - 3})` : ""}`);
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
