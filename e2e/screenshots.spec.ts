// `npm run screenshots`: the list, the dialog, a provider's page with Try it and the tokens page,
// light and dark, on a desktop and on a phone, for the README.
import { test } from "./fixtures";
import { api, createProvider } from "./helpers";
import { startEverythingServer } from "./support/everything-server";
import { SERVERS } from "./users";

const base = SERVERS.enterprise;

let everything: Awaited<ReturnType<typeof startEverythingServer>>;
let referenceId = "";
test.beforeAll(async ({ request }) => {
  everything = await startEverythingServer();
  const call = api(request, base);
  // A worker that starts again (after a failure) finds it registered, on the last server's port.
  const existing = (await call("GET /api/v1/mcp-providers", { query: { q: "everything" } })).json.data.find((provider) => provider.server_identifier === "everything");
  if (existing) {
    await call("PATCH /api/v1/mcp-providers/{id}", { params: { id: existing.id }, body: { server_url: everything.url } });
    referenceId = existing.id;
  } else {
    referenceId = (await createProvider(request, base, { name: "Reference server", server_identifier: "everything", server_url: everything.url, icon: { type: "emoji", content: "🧪", background: "#FEF3C7" } })).id;
  }
});
test.afterAll(async () => { await everything.stop(); });

for (const scheme of ["light", "dark"] as const) {
  test(`screenshots (${scheme})`, async ({ page, request }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1280, height: 760 });
    if (scheme === "light") {
      await createProvider(request, base, { name: "Linear", server_identifier: "linear", server_url: "https://mcp.linear.app/mcp", icon: { type: "emoji", content: "📐", background: "#E0E7FF" }, identity_mode: "idp_token" });
      await createProvider(request, base, { name: "GitHub", server_identifier: "github", server_url: "https://api.githubcopilot.com/mcp/", icon: { type: "emoji", content: "🐙", background: "#F3F4F6" }, headers: { Authorization: "Bearer ghp_1234567890" } });
      await createProvider(request, base, { name: "Internal search", server_identifier: "search", server_url: "https://search.internal.example/mcp", icon: { type: "emoji", content: "🔎", background: "#DCFCE7" }, identity_mode: "idp_token" });
    }
    await page.goto("/settings/providers");
    await page.getByRole("link", { name: "Internal search" }).waitFor();
    await page.screenshot({ path: `docs/screenshots/providers-${scheme}.png` });
    await page.getByRole("button", { name: "Edit Linear" }).click();
    await page.getByRole("dialog").getByRole("tab", { name: /Headers/ }).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `docs/screenshots/provider-dialog-${scheme}.png` });
    await page.keyboard.press("Escape");
    await page.goto("/settings/api-tokens");
    if (scheme === "light") {
      for (const name of ["CI deploy", "Local scripts"]) {
        await page.getByRole("button", { name: "+ Create token" }).click();
        await page.getByRole("dialog").getByLabel("Name").fill(name);
        await page.getByRole("dialog").getByRole("button", { name: "Create token" }).click();
        await page.getByRole("dialog").getByRole("button", { name: "I've copied it" }).click();
      }
    }
    await page.getByText("Local scripts").waitFor();
    await page.screenshot({ path: `docs/screenshots/api-tokens-${scheme}.png` });

    await page.goto(`/settings/providers/${referenceId}`);
    const echo = page.getByRole("listitem", { name: "Tool echo" });
    await echo.getByRole("button", { name: "Try it" }).click();
    await echo.getByLabel("message").fill("Hello from the console");
    await echo.getByRole("button", { name: "Call echo" }).click();
    await echo.getByTestId("tool-result-text").waitFor();
    await echo.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `docs/screenshots/provider-page-${scheme}.png` });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/settings/providers");
    await page.getByRole("link", { name: "Internal search" }).waitFor();
    await page.screenshot({ path: `docs/screenshots/phone-providers-${scheme}.png` });
    await page.getByRole("button", { name: "Menu", exact: true }).click();
    await page.screenshot({ path: `docs/screenshots/phone-menu-${scheme}.png` });
    await page.goto(`/settings/providers/${referenceId}`);
    await page.getByRole("listitem", { name: "Tool echo" }).waitFor();
    await page.screenshot({ path: `docs/screenshots/phone-provider-${scheme}.png` });
  });
}
