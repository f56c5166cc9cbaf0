// The Activity page opens with charts of the calls — calls, errors and median latency over time,
// by provider or by identity mode, for the range chosen — and a provider's page has its own. Real
// calls are made first (to the official reference server, and to a provider that forwards the
// user's identity, which a user who never signed in with SSO can't give), then the charts are read back: on
// a phone in the dark scheme, and on a desktop in the light one; screenshots of each are attached.
import type { Locator, Page, TestInfo } from "@playwright/test";
import { expect, test } from "./fixtures";
import { api, createProvider, signIn, unique } from "./helpers";
import { accessibilityProblems } from "./support/axe";
import { startEverythingServer } from "./support/everything-server";
import { SERVERS, USERS } from "./users";

const base = SERVERS.enterprise;

let everything: Awaited<ReturnType<typeof startEverythingServer>>;
test.beforeAll(async () => { everything = await startEverythingServer(); });
test.afterAll(async () => { await everything.stop(); });

type Provider = Awaited<ReturnType<typeof createProvider>>;

/**
 * Provider "direct" (its own credentials): four echoes and one call the tool answers with an error.
 * Provider "forwarded" (idp_token): two calls that fail before reaching the server, made by the local
 * user, who has no SSO identity. (Not the owner: forwarding is the user's, however they signed in, and
 * the identity specs give the owner an SSO session meanwhile — a forwarded call of theirs would use it.)
 * Returns once the activity log has them all (it writes in batches).
 */
async function makeCalls(page: Page): Promise<{ direct: Provider; forwarded: Provider }> {
  const call = api(page.request, base);
  const direct = await createProvider(page.request, base, { name: `Charts ${unique("")}`, server_url: `${everything.url}?charts=${unique("")}` });
  // Forwarding turned on after the discovery that follows creation: discovery runs as the creator,
  // and a forwarded one would spend the owner's SSO session (which the identity specs use meanwhile)
  // on a server the test IdP doesn't know.
  const forwarded = await createProvider(page.request, base, { name: `Forwarded ${unique("")}`, server_url: `${everything.url}?forwarded=${unique("")}` });
  await expect.poll(async () => (await call("GET /api/v1/mcp-providers/{id}", { params: { id: forwarded.id } })).json.discovery.status).not.toBe("pending");
  expect((await call("PATCH /api/v1/mcp-providers/{id}", { params: { id: forwarded.id }, body: { identity_mode: "idp_token" } })).status).toBe(200);
  for (let i = 0; i < 4; i++) {
    expect((await call("POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: direct.id, tool: "echo" }, body: { arguments: { message: `hello ${i}` } } })).status).toBe(200);
  }
  const toolError = await call("POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: direct.id, tool: "get-sum" }, body: { arguments: { a: "one", b: 2 } } });
  expect(toolError.json.is_error).toBe(true);
  const browser = page.context().browser();
  if (!browser) throw new Error("no browser to sign the local user in with");
  const localContext = await browser.newContext({ baseURL: base });
  try {
    const local = await localContext.newPage();
    await signIn(local, USERS.local);
    const asLocal = api(local.request, base);
    for (let i = 0; i < 2; i++) {
      expect((await asLocal("POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: forwarded.id, tool: "echo" }, body: { arguments: { message: "as me" } } })).json.code).toBe("identity_required");
    }
  } finally {
    await localContext.close();
  }
  for (const [provider, count] of [[direct, 5], [forwarded, 2]] as const) {
    await expect.poll(async () => (await call("GET /api/v1/tool-calls", { query: { provider: provider.id } })).json.data.length).toBe(count);
  }
  return { direct, forwarded };
}

async function noSidewaysScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
}

async function screenshot(region: Locator, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await region.screenshot({ path });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/** Picks an option of a labelled choice the way a person does: on its label. */
async function choose(charts: Locator, group: string, option: string) {
  await charts.getByRole("group", { name: group }).getByText(option, { exact: true }).click();
  await expect(charts.getByRole("radio", { name: option })).toBeChecked();
}

async function passesAxe(page: Page, where: string) {
  const found = await accessibilityProblems(page, where);
  expect(found, found.join("\n")).toEqual([]);
}

for (const [device, width, colorScheme] of [["phone", 375, "dark"], ["desktop", 1280, "light"]] as const) {
  test.describe(`${device}, ${colorScheme}`, () => {
    test.use({ viewport: { width, height: 900 }, colorScheme });

    test("the Activity page's charts add up the calls, by provider and by identity, for the range chosen", async ({ page }, testInfo) => {
      test.slow(); // real calls by two users first, then every range and grouping, axe and screenshots
      const { direct, forwarded } = await makeCalls(page);
      await page.goto("/activity");
      const charts = page.getByRole("region", { name: "Over time", exact: true });
      await expect(charts.getByRole("figure", { name: /^Calls per hour/ })).toBeVisible();
      await expect(charts.getByRole("figure", { name: /^Errors per hour/ })).toBeVisible();
      await expect(charts.getByRole("figure", { name: /^Median latency per hour/ })).toBeVisible();

      // Unfiltered, the workspace's busiest providers each get a colour (the calls of other tests are here too).
      await expect(charts.getByRole("row", { name: new RegExp(direct.name) })).toBeVisible();
      await screenshot(charts, testInfo, `activity-all-${device}-${colorScheme}`);

      // The page's provider filter narrows the charts too.
      await page.getByRole("combobox", { name: "Provider" }).selectOption(direct.id);
      await expect(charts.getByText("5 calls in the last 24 hours, 1 error (1 from the tool); median")).toBeVisible();
      const directRow = charts.getByRole("row", { name: new RegExp(direct.name) });
      await expect(directRow.getByRole("cell").first()).toHaveText("5");
      await expect(directRow.getByRole("cell").nth(1)).toHaveText("1");
      await expect(directRow.getByRole("cell").nth(2)).toHaveText(/^\d+ ms$/);
      // Each chart carries its figures for screen readers.
      await expect(charts.getByRole("figure", { name: /^Calls per hour/ }).locator("svg desc")).toHaveText(`${direct.name} 5`);
      // Pointing at the hour's bar names its calls.
      const callsChart = charts.getByRole("figure", { name: /^Calls per hour/ });
      const plot = await callsChart.locator("svg").boundingBox();
      if (!plot) throw new Error("the calls chart has no box");
      await page.mouse.move(plot.x + plot.width - 12, plot.y + plot.height / 2);
      await expect(callsChart.getByText(direct.name, { exact: true })).toBeVisible();
      await noSidewaysScroll(page);
      await screenshot(charts, testInfo, `activity-${device}-${colorScheme}`);
      await page.mouse.move(0, 0);
      await passesAxe(page, `activity charts, ${device}, ${colorScheme}`);

      await choose(charts, "Group by", "Identity");
      await expect(charts.getByRole("row", { name: /Provider's credentials/ }).getByRole("cell").first()).toHaveText("5");

      await page.getByRole("combobox", { name: "Provider" }).selectOption(forwarded.id);
      await expect(charts.getByText("2 calls in the last 24 hours, 2 errors (2 before the tool answered)")).toBeVisible();
      const forwardedRow = charts.getByRole("row", { name: /Forwarded: SSO token/ });
      await expect(forwardedRow.getByRole("cell").first()).toHaveText("2");
      await expect(forwardedRow.getByRole("cell").nth(1)).toHaveText("2");

      // A week, by six hours: the same calls, and the keyboard reaches the choice.
      await charts.getByRole("radio", { name: "24 hours" }).focus();
      await page.keyboard.press("ArrowRight");
      await expect(charts.getByRole("radio", { name: "7 days" })).toBeChecked();
      await expect(charts.getByText("2 calls in the last 7 days")).toBeVisible();
      await expect(charts.getByRole("figure", { name: /^Calls per 6 hours/ })).toBeVisible();
      await choose(charts, "Range", "30 days");
      await expect(charts.getByRole("figure", { name: /^Calls per day/ })).toBeVisible();
      await noSidewaysScroll(page);
      await screenshot(charts, testInfo, `activity-identity-30d-${device}-${colorScheme}`);
    });

    test("a provider's page has its own charts, and says when there is nothing to draw", async ({ page }, testInfo) => {
      test.slow(); // real calls by two users first, then axe and screenshots
      const { direct } = await makeCalls(page);
      await page.goto(`/settings/providers/${direct.id}`);
      const charts = page.getByRole("region", { name: "Activity", exact: true });
      await expect(charts.getByText("5 calls in the last 24 hours, 1 error (1 from the tool)")).toBeVisible();
      await expect(charts.getByRole("row", { name: /Provider's credentials/ }).getByRole("cell").first()).toHaveText("5");
      // One provider: by identity mode, with no grouping to choose.
      await expect(charts.getByRole("radio", { name: "Provider" })).toHaveCount(0);
      await noSidewaysScroll(page);
      await screenshot(charts, testInfo, `provider-${device}-${colorScheme}`);
      await passesAxe(page, `provider charts, ${device}, ${colorScheme}`);

      const quiet = await createProvider(page.request, base, { name: `Quiet ${unique("")}` });
      await page.goto(`/settings/providers/${quiet.id}`);
      await expect(page.getByRole("region", { name: "Activity", exact: true }).getByText("No tool calls in the last 24 hours.")).toBeVisible();
    });
  });
}
