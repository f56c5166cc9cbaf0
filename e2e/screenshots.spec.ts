// `npm run screenshots`: the list, the dialog and the tokens page, light and dark, for the README.
import { test } from "@playwright/test";
import { createProvider } from "./helpers";
import { SERVERS } from "./users";

const base = SERVERS.enterprise;

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
    await page.getByText("Internal search").waitFor();
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
  });
}
