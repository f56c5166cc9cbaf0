import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { api, createProvider, row, saveProviderDialog, signIn, unique } from "./helpers";
import { startEverythingServer } from "./support/everything-server";
import { SERVERS, USERS } from "./users";

const base = SERVERS.enterprise;

/** The add dialog, and every provider POST the page sends from now on (validation should send none). */
async function openAddDialog(page: Page) {
  const posts: string[] = [];
  page.on("request", (req) => { if (req.method() === "POST" && req.url().includes("/api/v1/mcp-providers")) posts.push(req.url()); });
  await page.goto("/settings/providers");
  await page.getByRole("button", { name: "+ Add provider" }).click();
  return { dialog: page.getByRole("dialog"), posts };
}

test.describe("provider list and dialog", () => {
  test("create a provider using every tab, and see it in the list", async ({ page, request }) => {
    const id = unique("all");
    await page.goto("/settings/providers");
    await page.getByRole("button", { name: "+ Add provider" }).click();
    const dialog = page.getByRole("dialog", { name: "Add MCP provider" });
    await dialog.getByLabel("Server URL").fill(`https://mcp.example.com/${id}/mcp?key=secret`);
    await dialog.getByLabel("Name", { exact: true }).fill(`Every Tab ${id}`);
    await dialog.getByLabel("Icon emoji").fill("🚀");
    await dialog.getByLabel("Server identifier").fill(id);

    await dialog.getByRole("tab", { name: "Authentication" }).click();
    await expect(dialog.getByLabel("Client ID")).toBeHidden(); // none until OAuth is chosen
    await dialog.getByRole("radio", { name: /OAuth — each user connects/ }).check();
    await dialog.getByLabel("Scopes").fill("issues:read issues:write");
    await dialog.getByLabel("Client ID").fill("client-abc");
    await dialog.getByLabel("Client secret").fill("client-secret-xyz");

    await dialog.getByRole("tab", { name: /Headers/ }).click();
    await dialog.getByRole("button", { name: "+ Add header" }).click();
    await dialog.getByLabel("Header 1 name").fill("X-Api-Key");
    await dialog.getByLabel("Header 1 value").fill("sk-live-123456");
    await dialog.getByRole("button", { name: "+ Add header" }).click();
    await dialog.getByLabel("Header 2 name").fill("X-Team");
    await dialog.getByLabel("Header 2 value").fill("platform-team");

    await dialog.getByRole("tab", { name: "Configuration" }).click();
    await dialog.getByLabel("Timeout (seconds)", { exact: true }).fill("45");
    await dialog.getByLabel("Stream read timeout (seconds)").fill("600");

    await saveProviderDialog(dialog, "Add provider");
    await expect(dialog).toBeHidden();
    await expect(row(page, id)).toContainText(`Every Tab ${id}`);
    await expect(row(page, id)).toContainText("https://mcp.example.com/******");

    const list = await api(request, base)("GET /api/v1/mcp-providers", { query: { q: id } });
    expect(list.json.data[0]).toMatchObject({
      name: `Every Tab ${id}`,
      icon: { type: "emoji", content: "🚀" },
      headers: { "X-Api-Key": "sk******56", "X-Team": "pl******am" },
      authentication: { type: "oauth", connection: "per_user", client_id: "client-abc", client_secret: "cl******yz", scope: "issues:read issues:write" },
      configuration: { timeout: 45, sse_read_timeout: 600 },
      identity_mode: "off",
    });
  });

  test("edit only the name: headers, timeouts and identity mode are untouched", async ({ page, request }) => {
    const created = await createProvider(request, base, {
      headers: { "X-Api-Key": "sk-keep-1234", "X-Team": "team-value" },
      configuration: { timeout: 12, sse_read_timeout: 34 },
      identity_mode: "idp_token",
    });
    const before = (await api(request, base)("GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).json;
    const patches: unknown[] = [];
    page.on("request", (req) => req.method() === "PATCH" && patches.push(req.postDataJSON()));

    await page.goto("/settings/providers");
    await page.getByRole("button", { name: `Edit ${created.name}` }).click();
    const dialog = page.getByRole("dialog", { name: `Edit ${created.name}` });
    await dialog.getByLabel("Name", { exact: true }).fill(`${created.name} renamed`);
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await expect(dialog).toBeHidden();
    await expect(row(page, created.server_identifier)).toContainText(`${created.name} renamed`);

    expect(patches).toEqual([{ name: `${created.name} renamed` }]);
    const after = (await api(request, base)("GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).json;
    expect(after.name).toBe(`${created.name} renamed`);
    expect(after.headers).toEqual(before.headers);
    expect(after.configuration).toEqual({ timeout: 12, sse_read_timeout: 34 });
    expect(after.identity_mode).toBe("idp_token");
    expect(after.server_url).toBe(before.server_url);
  });

  test("moving the server to another origin says which stored secrets were dropped", async ({ page, request }) => {
    const created = await createProvider(request, base, { headers: { "X-Api-Key": "sk-secret-1234", "X-Team": "team-value" } });
    await page.goto("/settings/providers");
    await page.getByRole("button", { name: `Edit ${created.name}` }).click();
    const dialog = page.getByRole("dialog", { name: `Edit ${created.name}` });
    await dialog.getByLabel("Server URL").fill(`https://elsewhere.example.net/${created.server_identifier}`);
    await saveProviderDialog(dialog, "Save changes");
    await expect(dialog).toBeHidden();
    await expect(page.getByText("The server moved, so these stored secrets were removed: header X-Api-Key, header X-Team. Enter them again if the new server needs them.")).toBeVisible();
    const after = (await api(request, base)("GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).json;
    expect(after.headers).toEqual({});
  });

  test("with forwarding on, the dialog says which credential headers won't be sent", async ({ page, request }) => {
    const created = await createProvider(request, base, { headers: { "X-Api-Key": "sk-secret-1234", "X-Team": "team-value" } });
    await page.goto("/settings/providers");
    await page.getByRole("button", { name: `Edit ${created.name}` }).click();
    const dialog = page.getByRole("dialog", { name: `Edit ${created.name}` });
    const note = dialog.getByText(/With identity forwarding on, .* not sent/);
    await expect(note).toHaveCount(0);
    await dialog.getByRole("switch", { name: "Forward the user's identity" }).click();
    await expect(note).toHaveText("With identity forwarding on, X-Api-Key is not sent: every call carries only the user's own token.");
  });

  test("remove one of two headers: the other survives", async ({ page, request }) => {
    const created = await createProvider(request, base, { headers: { "X-Keep": "keep-value-1", "X-Drop": "drop-value-2" } });
    await page.goto("/settings/providers");
    await page.getByRole("button", { name: `Edit ${created.name}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("tab", { name: /Headers/ }).click();
    await dialog.getByRole("button", { name: "Remove header X-Drop" }).click();
    const patch = page.waitForRequest((req) => req.method() === "PATCH");
    await saveProviderDialog(dialog, "Save changes");
    expect((await patch).postDataJSON()).toEqual({ headers: { "X-Drop": null } });
    await expect(dialog).toBeHidden();
    const after = (await api(request, base)("GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).json;
    expect(after.headers).toEqual({ "X-Keep": "ke******-1" });
  });

  test("invalid URL and identifier show inline errors and send nothing", async ({ page }) => {
    const { dialog, posts } = await openAddDialog(page);
    await dialog.getByLabel("Server URL").fill("ftp://not-http");
    await dialog.getByLabel("Name", { exact: true }).fill("Invalid");
    await dialog.getByLabel("Server identifier").fill("Not Valid!");
    await dialog.getByRole("button", { name: "Add provider" }).click();
    await expect(dialog.getByText("Enter an absolute http:// or https:// URL")).toBeVisible();
    await expect(dialog.getByText("Use only lowercase letters, digits, - or _")).toBeVisible();
    await expect(dialog.getByLabel("Server URL")).toHaveAttribute("aria-invalid", "true");
    await expect(dialog.getByLabel("Server identifier")).toHaveAttribute("aria-invalid", "true");
    expect(posts).toEqual([]);
  });

  test("an empty form says everything that is missing at once; the identifier follows the name until typed", async ({ page }) => {
    const { dialog, posts } = await openAddDialog(page);
    await dialog.getByRole("button", { name: "Add provider" }).click();
    for (const message of ["Server URL is required", "Name is required", "Server identifier is required"]) await expect(dialog.getByText(message)).toBeVisible();
    expect(posts).toEqual([]);
    await expect(dialog.getByLabel("Name", { exact: true })).toHaveAttribute("maxlength", "40"); // the API's limit

    await dialog.getByLabel("Name", { exact: true }).fill("Linear Issues (EU)");
    await expect(dialog.getByLabel("Server identifier")).toHaveValue("linear-issues-eu");
    await dialog.getByLabel("Server identifier").fill("mine");
    await dialog.getByLabel("Name", { exact: true }).fill("Something else");
    await expect(dialog.getByLabel("Server identifier")).toHaveValue("mine");
  });

  test("a duplicate identifier shows the server's conflict on the identifier field", async ({ page, request }) => {
    const existing = await createProvider(request, base);
    await page.goto("/settings/providers");
    await page.getByRole("button", { name: "+ Add provider" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Server URL").fill(`https://other.example.com/${unique("u")}`);
    await dialog.getByLabel("Name", { exact: true }).fill(unique("Dup "));
    await dialog.getByLabel("Server identifier").fill(existing.server_identifier);
    await saveProviderDialog(dialog, "Add provider");
    await expect(dialog.getByText("Another provider already uses this identifier")).toBeVisible();
    await expect(dialog.getByLabel("Server identifier")).toHaveAttribute("aria-invalid", "true");
    await expect(dialog).toBeVisible();
  });

  test("delete asks first: cancel keeps the provider, confirm removes it", async ({ page, request }) => {
    const created = await createProvider(request, base);
    await page.goto("/settings/providers");
    await page.getByRole("button", { name: `Delete ${created.name}` }).click();
    const confirm = page.getByRole("alertdialog", { name: `Delete ${created.name}?` });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(confirm).toBeHidden();
    await expect(row(page, created.server_identifier)).toBeVisible();
    expect((await api(request, base)("GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).status).toBe(200);

    await page.getByRole("button", { name: `Delete ${created.name}` }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete provider" }).click();
    await expect(row(page, created.server_identifier)).toHaveCount(0);
    await expect.poll(async () => (await api(request, base)("GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).status).toBe(404);
  });

  test("search filters the list, and says so when nothing matches", async ({ page, request }) => {
    const created = await createProvider(request, base);
    await page.goto("/settings/providers");
    await page.getByLabel("Search providers").fill(created.server_identifier);
    await expect(row(page, created.server_identifier)).toBeVisible();
    await expect(page.locator("[data-testid^=provider-row-]")).toHaveCount(1);
    await page.getByLabel("Search providers").fill("zzz-nothing-matches");
    await expect(page.getByText("No provider matches your search.")).toBeVisible();
  });

  test("the whole create flow with the keyboard only", async ({ page, request }) => {
    const id = unique("kb");
    await page.goto("/settings/providers");
    const add = page.getByRole("button", { name: "+ Add provider" });
    await add.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Add MCP provider" });
    await expect(dialog.getByLabel("Server URL")).toBeFocused();
    await page.keyboard.type(`https://kb.example.com/${id}`);
    await page.keyboard.press("Tab"); // icon emoji
    await page.keyboard.press("Tab"); // icon background
    await page.keyboard.press("Tab"); // name
    await expect(dialog.getByLabel("Name", { exact: true })).toBeFocused();
    await page.keyboard.type(`Keyboard ${id}`);
    await page.keyboard.press("Tab");
    await expect(dialog.getByLabel("Server identifier")).toBeFocused();
    await page.keyboard.type(id);
    await page.keyboard.press("Enter"); // submits the form: the connection is tried first
    await expect(dialog.getByRole("status").filter({ hasText: "Test connection:" })).toContainText("Unreachable (DNS)");
    await expect(dialog.getByRole("button", { name: "Save anyway" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(dialog).toBeHidden();
    await expect(row(page, id)).toContainText(`Keyboard ${id}`);
    await expect(add).toBeFocused(); // focus returns to the opener
    expect((await api(request, base)("GET /api/v1/mcp-providers", { query: { q: id } })).json.data).toHaveLength(1);
  });

  test("Escape closes the dialog when idle and returns focus", async ({ page }) => {
    await page.goto("/settings/providers");
    const add = page.getByRole("button", { name: "+ Add provider" });
    await add.click();
    await expect(page.getByRole("dialog")).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog")).toBeHidden();
    await expect(add).toBeFocused();
  });

  test("Escape in an edited form asks before discarding; Save stays in view with many headers", async ({ page }) => {
    await page.goto("/settings/providers");
    await page.getByRole("button", { name: "+ Add provider" }).click();
    const dialog = page.getByRole("dialog", { name: "Add MCP provider" });
    const name = dialog.getByLabel("Name", { exact: true });
    await name.fill("Half-typed");
    await page.keyboard.press("Escape");
    const question = dialog.getByRole("alertdialog", { name: "Discard your changes?" });
    await expect(question.getByRole("button", { name: "Keep editing" })).toBeFocused();
    await page.keyboard.press("Escape"); // the safe answer
    await expect(question).toBeHidden();
    await expect(name).toHaveValue("Half-typed");
    await expect(name).toBeFocused();

    await dialog.getByRole("tab", { name: /Headers/ }).click();
    for (let i = 0; i < 12; i++) {
      await dialog.getByRole("button", { name: "+ Add header" }).click();
      await dialog.getByLabel(`Header ${i + 1} name`).fill(`X-Header-${i}`);
    }
    await expect(dialog.getByRole("button", { name: "Add provider" })).toBeInViewport({ ratio: 1 });
    await expect(dialog.getByRole("button", { name: "Cancel" })).toBeInViewport({ ratio: 1 });

    await page.mouse.click(5, 5); // outside, the overlay: asks too
    // The form behind the question is inert: Tab stays on the two answers.
    await expect(question.getByRole("button", { name: "Keep editing" })).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(question.getByRole("button", { name: "Discard" })).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(question.getByRole("button", { name: "Keep editing" })).toBeFocused();
    await question.getByRole("button", { name: "Discard" }).click();
    await expect(dialog).toBeHidden();
    await page.getByRole("button", { name: "+ Add provider" }).click();
    await expect(dialog.getByLabel("Name", { exact: true })).toHaveValue(""); // a fresh form, and no question
    await expect(question).toHaveCount(0);
  });

  test("a reload that fails keeps the list on screen, says so, and Retry recovers", async ({ page, request }) => {
    const kept = await createProvider(request, base);
    const doomed = await createProvider(request, base);
    await page.goto("/settings/providers");
    await expect(row(page, kept.server_identifier)).toBeVisible();
    // The console goes offline for reads: the reload after a delete fails (the client retries twice first).
    await page.route("**/api/v1/mcp-providers?*", (route) => (route.request().method() === "GET" ? route.abort("internetdisconnected") : route.continue()));
    await page.getByRole("button", { name: `Delete ${doomed.name}` }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete provider" }).click();
    const banner = page.getByRole("alert").filter({ hasText: "Couldn't refresh providers" });
    await expect(banner).toBeVisible({ timeout: 15_000 });
    await expect(row(page, kept.server_identifier)).toBeVisible();
    await page.unroute("**/api/v1/mcp-providers?*");
    await banner.getByRole("button", { name: "Retry" }).click();
    await expect(banner).toBeHidden();
    await expect(row(page, kept.server_identifier)).toBeVisible();
    await expect(row(page, doomed.server_identifier)).toHaveCount(0);
  });

  test("while saving, the dialog can't be closed or submitted twice", async ({ page }) => {
    const id = unique("slow");
    let posts = 0;
    // The save is held until the dialog has been tried, however long that takes on a busy machine.
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    await page.route("**/api/v1/mcp-providers", async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      posts++;
      await held;
      await route.continue();
    });
    await page.goto("/settings/providers");
    await page.getByRole("button", { name: "+ Add provider" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Server URL").fill(`https://slow.example.com/${id}`);
    await dialog.getByLabel("Name", { exact: true }).fill(`Slow ${id}`);
    await dialog.getByLabel("Server identifier").fill(id);
    await saveProviderDialog(dialog, "Add provider");
    await expect(dialog.getByRole("button", { name: "Saving…" })).toBeDisabled();
    await page.keyboard.press("Escape");
    await page.mouse.click(5, 5); // the overlay
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Saving…" }).click({ force: true }).catch(() => undefined);
    await expect(dialog.getByRole("button", { name: "Saving…" })).toBeDisabled();
    release();
    await expect(dialog).toBeHidden({ timeout: 10_000 });
    expect(posts).toBe(1);
  });
});

test.describe("Test connection", () => {
  test("says what is wrong before anything is saved, and a server that answers passes", async ({ page }) => {
    const server = await startEverythingServer();
    const id = unique("chk");
    try {
      await page.goto("/settings/providers");
      await page.getByRole("button", { name: "+ Add provider" }).click();
      const dialog = page.getByRole("dialog", { name: "Add MCP provider" });
      await dialog.getByLabel("Server URL").fill(server.url);
      await dialog.getByLabel("Name", { exact: true }).fill(`Checked ${id}`);
      await dialog.getByLabel("Server identifier").fill(id);
      await dialog.getByRole("button", { name: "Test connection" }).click();
      const result = dialog.getByRole("status").filter({ hasText: "Test connection:" });
      await expect(result).toContainText(/Connected · \d+ tools/);

      // Another address: the old answer no longer applies, and saving tries the new one first.
      await dialog.getByLabel("Server URL").fill("http://10.0.0.1/mcp");
      await expect(result).toHaveCount(0);
      await dialog.getByRole("button", { name: "Add provider", exact: true }).click();
      await expect(result).toContainText("Blocked by network policy");
      await expect(result).toContainText("unless the console's operator allows them");
      await expect(dialog.getByRole("button", { name: "Save anyway" })).toBeVisible();
      await expect(row(page, id)).toHaveCount(0);

      await dialog.getByLabel("Server URL").fill(server.url);
      await dialog.getByRole("button", { name: "Add provider", exact: true }).click();
      await expect(dialog).toBeHidden();
      await expect(row(page, id)).toContainText(/Connected · \d+ tools/);
      await expect(row(page, id)).toContainText(/checked (just now|\d+ seconds? ago)/);
      await row(page, id).getByRole("link", { name: `Checked ${id}` }).click();
      await expect(page.getByRole("status").filter({ hasText: "Connection:" })).toContainText(/Connected · \d+ tools/);
    } finally {
      await server.stop();
    }
  });
});

test.describe("paging", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("more than a page of providers: the search runs on the server, and Next and Previous page through it", async ({ page }) => {
    test.slow();
    // In a workspace of its own, in a session of its own: 101 new providers would push other tests' off the first page.
    await signIn(page, USERS.owner);
    const call = api(page.request, base);
    const workspace = await call("POST /api/v1/workspaces", { body: { name: unique("Paging ") } });
    expect(workspace.status).toBe(201);
    expect((await call("PUT /api/v1/workspaces/current", { body: { workspace_id: workspace.json.id } })).status).toBe(204);
    const prefix = unique("pg");
    const create = (n: number) => {
      const i = String(n).padStart(3, "0");
      return call("POST /api/v1/mcp-providers", { body: { name: `Paged ${prefix} ${i}`, server_identifier: `${prefix}${i}`, server_url: `https://mcp.example.com/${prefix}/${i}` } }).then((res) => { expect(res.status).toBe(201); });
    };
    await create(0); // alone, so it is the oldest for certain
    for (let start = 1; start < 101; start += 10) await Promise.all(Array.from({ length: Math.min(10, 101 - start) }, (_, offset) => create(start + offset)));
    await page.goto("/settings/providers");
    // All 101 match the search, so the first page looks the same before it: wait for the server's answer to it.
    const searched = page.waitForResponse((res) => res.url().includes("/api/v1/mcp-providers?") && new URL(res.url()).searchParams.get("q") === prefix);
    await page.getByLabel("Search providers").fill(prefix);
    await searched;
    const pages = page.getByRole("navigation", { name: "Pages of providers" });
    await expect(pages).toContainText("Page 1");
    await expect(page.getByRole("row").filter({ hasText: `Paged ${prefix}` })).toHaveCount(100);

    await pages.getByRole("button", { name: "Next" }).click();
    await expect(pages).toContainText("Page 2");
    await expect(page.getByRole("row").filter({ hasText: `Paged ${prefix}` })).toHaveCount(1);
    await expect(page.getByRole("row").filter({ hasText: `Paged ${prefix} 000` })).toHaveCount(1); // the oldest, last
    await expect(pages.getByRole("button", { name: "Next" })).toBeDisabled();

    await pages.getByRole("button", { name: "Previous" }).click();
    await expect(pages).toContainText("Page 1");
    await expect(page.getByRole("row").filter({ hasText: `Paged ${prefix} 100` })).toHaveCount(1);
  });
});
