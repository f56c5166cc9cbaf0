// A member sees the list read-only, and the API refuses their changes whatever the UI shows.
import { expect, test } from "./fixtures";
import { api, createProvider, row, signIn } from "./helpers";
import { SERVERS, USERS } from "./users";

const base = SERVERS.enterprise;

test.use({ storageState: { cookies: [], origins: [] } });

test("a member sees no edit controls, and a PATCH from their session gets 403", async ({ browser, page }) => {
  // The owner creates a provider in their own context.
  const ownerContext = await browser.newContext({ storageState: "e2e/.auth/enterprise-owner.json" });
  const created = await createProvider(ownerContext.request, base);

  await signIn(page, USERS.member);
  await expect(row(page, created.server_identifier)).toBeVisible();
  await expect(page.getByRole("button", { name: "+ Add provider" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Edit / })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Delete / })).toHaveCount(0);
  await expect(row(page, created.server_identifier).getByRole("switch")).toBeDisabled();
  await expect(page.getByText("You are a member here: admins add, change and remove providers")).toBeVisible(); // told why
  await page.goto("/api-reference");
  await expect(page.getByRole("region", { name: "PATCH /api/v1/mcp-providers/{id}" })).toContainText("Admins and owners only");

  const patch = await api(page.request, base)("PATCH /api/v1/mcp-providers/{id}", { params: { id: created.id }, body: { name: "member was here" } });
  expect(patch.status).toBe(403);
  expect(patch.json).toMatchObject({ code: "forbidden" });
  expect(patch.json.detail).toContain("admin");
  expect((await api(ownerContext.request, base)("GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).json.name).toBe(created.name);
  await ownerContext.close();
});
