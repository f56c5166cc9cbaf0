// Enterprise server: the identity-forwarding switch exists, in the dialog and in the list.
import { expect, test } from "./fixtures";
import { api, createProvider, row, saveProviderDialog } from "./helpers";
import { SERVERS } from "./users";

const base = SERVERS.enterprise;

test("toggle forwarding in the dialog: the API reflects each change", async ({ page, request }) => {
  const created = await createProvider(request, base);
  await page.goto("/settings/providers");

  for (const [on, mode] of [[true, "idp_token"], [false, "off"]] as const) {
    await page.getByRole("button", { name: `Edit ${created.name}` }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog.getByText("calls fail if that user has no SSO session")).toBeVisible();
    const toggle = dialog.getByRole("switch", { name: "Forward the user's identity" });
    await expect(toggle).toHaveAttribute("aria-checked", String(!on));
    await toggle.click();
    const patch = page.waitForRequest((req) => req.method() === "PATCH");
    await saveProviderDialog(dialog, "Save changes");
    expect((await patch).postDataJSON()).toEqual({ identity_mode: mode });
    await expect(dialog).toBeHidden();
    const provider = (await api(request, base)("GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).json;
    expect(provider).toMatchObject({ identity_mode: mode, identity_forwarding_active: on });
  }
});

test("toggle forwarding from the list: optimistic, and the API reflects it", async ({ page, request }) => {
  const created = await createProvider(request, base);
  await page.goto("/settings/providers");
  const toggle = row(page, created.server_identifier).getByRole("switch", { name: `Identity forwarding for ${created.name}` });
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  await expect(row(page, created.server_identifier).getByText("User identity")).toBeVisible();
  await expect.poll(async () => (await api(request, base)("GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).json.identity_mode).toBe("idp_token");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  await expect.poll(async () => (await api(request, base)("GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).json.identity_mode).toBe("off");
});

test("a refused toggle rolls back and says why", async ({ page, request }) => {
  const created = await createProvider(request, base);
  await page.route(`**/api/v1/mcp-providers/${created.id}`, (route) =>
    route.request().method() === "PATCH"
      ? route.fulfill({ status: 403, contentType: "application/problem+json", body: JSON.stringify({ type: "about:blank", title: "Forbidden", status: 403, detail: "Licence does not allow this", code: "forbidden" }) })
      : route.continue(),
  );
  await page.goto("/settings/providers");
  const toggle = row(page, created.server_identifier).getByRole("switch");
  await toggle.click();
  await expect(page.getByText(/Couldn't change identity forwarding .*Licence does not allow this/)).toBeVisible();
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  expect((await api(request, base)("GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).json.identity_mode).toBe("off");
});
