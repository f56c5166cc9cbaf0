// The provider page is where an admin works on one provider: edit, delete, copy its identifier, see
// the names agents call its tools by and who changed what; a link to one that isn't there says so.
import { expect, test } from "./fixtures";
import { api, unique } from "./helpers";
import { startEverythingServer } from "./support/everything-server";
import { SERVERS, USERS } from "./users";

const base = SERVERS.enterprise;

test("edit, history, the names agents call, copy and delete — all from the provider's page", async ({ page, request, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const server = await startEverythingServer();
  try {
    const identifier = unique("pg");
    const created = await api(request, base)("POST /api/v1/mcp-providers", { body: { name: `Page ${identifier}`, server_identifier: identifier, server_url: server.url } });
    expect(created.status).toBe(201);
    await page.goto(`/settings/providers/${created.json.id}`);
    await expect(page).toHaveTitle(`Page ${identifier} · MCP Console`);
    await expect(page.getByRole("listitem", { name: "Tool echo" })).toContainText(`call it ${identifier}__echo`);

    // Try it is a form made from the tool's input schema, with raw JSON a click away.
    const echo = page.getByRole("listitem", { name: "Tool echo" });
    await echo.getByRole("button", { name: "Try it" }).click();
    const message = echo.getByLabel("message");
    await expect(message).toHaveAttribute("aria-required", "true");
    await message.fill("hello");
    await echo.getByRole("button", { name: "Call echo" }).click();
    await expect(echo.getByTestId("tool-result-text")).toHaveText("Echo: hello");
    await expect(echo.getByRole("region", { name: "Result" })).toContainText(/\d+ ms/);
    await echo.getByRole("button", { name: "Edit as JSON" }).click();
    const json = echo.getByLabel("Arguments (JSON)");
    await expect(json).toHaveValue(/"message": "hello"/);
    await json.fill('{"message": "again"}');
    await echo.getByRole("button", { name: "Call echo" }).click();
    await expect(echo.getByTestId("tool-result-text")).toHaveText("Echo: again");
    await echo.getByRole("button", { name: "Edit as form" }).click();
    await expect(message).toHaveValue("again");
    const calls = echo.getByRole("region", { name: "Your last calls of echo" });
    await expect(calls.getByRole("listitem")).toHaveCount(2);
    await calls.getByRole("listitem").last().getByRole("button", { name: "Use again" }).click();
    await expect(message).toHaveValue("hello");

    await page.getByRole("button", { name: `Copy the identifier ${identifier}` }).click();
    await expect(page.getByText("Identifier copied")).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(identifier);

    await page.getByRole("button", { name: "Edit", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: `Edit Page ${identifier}` });
    await dialog.getByLabel("Server identifier").fill(`${identifier}x`);
    await expect(dialog.getByRole("status")).toContainText(`${identifier}__… becomes ${identifier}x__…`);
    await dialog.getByLabel("Server identifier").fill(identifier); // changed their mind: no warning
    await expect(dialog.getByRole("status")).toHaveCount(0);
    await dialog.getByLabel("Name", { exact: true }).fill(`Renamed ${identifier}`);
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText(`Renamed ${identifier}`);

    const history = page.getByRole("region", { name: "Change history" });
    await expect(history.getByRole("listitem").first()).toContainText(`${USERS.owner.email} changed name`);
    await expect(history.getByRole("listitem").last()).toContainText(`${USERS.owner.email} added the provider`);

    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete provider" }).click();
    await expect(page).toHaveURL(/\/settings\/providers$/);
    await expect(page.getByText(`Renamed ${identifier} deleted`)).toBeVisible();
    await expect(page.getByTestId(`provider-row-${identifier}`)).toHaveCount(0);
  } finally {
    await server.stop();
  }
});

test("a provider that isn't there: a 404 page that says so and leads back", async ({ page }) => {
  const response = await page.goto("/settings/providers/00000000-0000-4000-8000-000000000000");
  expect(response?.status()).toBe(404);
  await expect(page).toHaveTitle("Provider not found · MCP Console");
  await expect(page.getByRole("heading", { name: "Provider not found" })).toBeVisible();
  await page.getByRole("link", { name: "Back to MCP providers" }).click();
  await expect(page.getByRole("heading", { name: "MCP providers", level: 1 })).toBeVisible();
});
