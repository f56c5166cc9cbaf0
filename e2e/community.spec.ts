// Community server (ENTERPRISE_ENABLED=false): the forwarding switch does not exist at all.
import { expect, test } from "./fixtures";
import { api, createProvider, row } from "./helpers";
import { SERVERS } from "./users";

const base = SERVERS.community;

test("no forwarding switch in the list or the dialog, and a stored mode stays inactive", async ({ page, request }) => {
  const created = await createProvider(request, base, { identity_mode: "idp_token" });
  expect((await api(request, base)("GET /api/v1/features")).json.enterprise_enabled).toBe(false);
  await page.goto("/settings/providers");
  await expect(row(page, created.server_identifier)).toBeVisible();
  await expect(page.getByRole("switch")).toHaveCount(0);
  await expect(page.getByText("User identity")).toHaveCount(0);

  await page.getByRole("button", { name: `Edit ${created.name}` }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByLabel("Name", { exact: true })).toBeVisible();
  await expect(dialog.getByRole("switch")).toHaveCount(0);
  expect(await page.locator("#forwarding").count()).toBe(0);
  await expect(dialog.getByText("Forward the user")).toHaveCount(0);

  // Editing on a community deployment never touches the stored mode.
  await dialog.getByLabel("Name", { exact: true }).fill(`${created.name} edited`);
  await dialog.getByRole("button", { name: "Save changes" }).click();
  await expect(dialog).toBeHidden();
  const provider = (await api(request, base)("GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).json;
  expect(provider).toMatchObject({ identity_mode: "idp_token", identity_forwarding_active: false });
});
