// Signs in through the real form on both servers and saves the sessions for the other projects.
import { test as setup } from "./fixtures";
import { signIn } from "./helpers";
import { SERVERS, USERS } from "./users";

for (const name of ["enterprise", "community"] as const) {
  setup(`owner signs in on the ${name} server`, async ({ page }) => {
    await page.context().clearCookies();
    await page.goto(`${SERVERS[name]}/signin`);
    await signIn(page, USERS.owner);
    await page.context().storageState({ path: `e2e/.auth/${name}-owner.json` });
  });
}
