// Password guessing is cut off: after ten attempts for one account the form says so.
import { expect, test } from "./fixtures";
import { unique } from "./helpers";

test.use({ storageState: { cookies: [], origins: [] } });

test("the eleventh sign-in attempt for an account is refused with a clear message", async ({ page }) => {
  const email = `${unique("guess")}@e2e.test`;
  await page.goto("/signin");
  for (let attempt = 1; attempt <= 11; attempt++) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(`wrong-${attempt}`);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    // The eleventh says how long to wait: the server's own count, not any failure at all.
    const expected = attempt <= 10 ? "That email and password don't match an account." : /^Too many sign-in attempts\. Try again in \d+ (seconds|minutes)\.$/;
    await expect(page.locator("#signin-error")).toHaveText(expected);
  }
});
