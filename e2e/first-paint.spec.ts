import { expect, test } from "./fixtures";
import { api, createProvider, row } from "./helpers";
import { SERVERS } from "./users";

const base = SERVERS.enterprise;

// The HTML the server sends, as a browser shows it before any script runs: data, not "Loading…".
test.describe("first paint, with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("the provider list shows the providers, including one added a moment ago", async ({ page, request }) => {
    const first = await createProvider(request, base);
    await page.goto("/settings/providers");
    await expect(row(page, first.server_identifier)).toContainText(first.name);
    await expect(page.getByText("Loading providers…")).toHaveCount(0);
    // Added through the API just after the page was rendered: the next render has it.
    const second = await createProvider(request, base);
    await page.goto("/settings/providers");
    await expect(row(page, second.server_identifier)).toContainText(second.name);
  });

  test("a provider's page shows the provider and its tools", async ({ page, request }) => {
    const provider = await createProvider(request, base);
    await page.goto(`/settings/providers/${provider.id}`);
    await expect(page.getByRole("heading", { name: provider.name })).toBeVisible();
    await expect(page.getByText(/Loading (provider|tools)…/)).toHaveCount(0);
  });

  test("the API tokens page shows the tokens", async ({ page, request }) => {
    const made = await api(request, base)("POST /api/v1/api-tokens", { body: { name: `first-paint-${Date.now()}` } });
    expect(made.status).toBe(201);
    await page.goto("/settings/api-tokens");
    await expect(page.getByText(made.json.name)).toBeVisible();
    await expect(page.getByText("Loading tokens…")).toHaveCount(0);
  });
});
