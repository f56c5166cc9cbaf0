// OAuth to an upstream MCP server, in Chromium: a server that accepts only its own authorization
// server's tokens (an oidc-provider instance with dynamic registration), a provider where each user
// connects. A call before connecting says so and offers Connect; the browser goes to the server's
// sign-in and back; Try it then runs as the user's own account there; Disconnect ends it.
import { expect, test } from "./fixtures";
import { startTestIdp } from "./support/test-idp";
import { startWhoamiServer } from "./support/whoami-server";
import { api, unique } from "./helpers";
import { SERVERS } from "./users";

const base = SERVERS.enterprise;
const TRACKER_USER = { sub: "dana-at-tracker", email: "dana@tracker.test", name: "Dana", password: "dana-tracker-password" };

test("a user connects their own account from the provider page and Try it runs as them", async ({ page, request }) => {
  const idp = await startTestIdp({ users: [TRACKER_USER], clients: [], resources: [], registration: true });
  const tracker = await startWhoamiServer({ issuer: idp.issuer, scopesSupported: ["mcp"] });
  idp.allowResources([tracker.url]);
  try {
    const identifier = unique("tr");
    const name = `Tracker ${identifier}`;
    const created = await api(request, base)("POST /api/v1/mcp-providers", {
      body: { name, server_identifier: identifier, server_url: tracker.url, authentication: { type: "oauth", connection: "per_user" } },
    });
    expect(created.status).toBe(201);

    await page.goto(`/settings/providers/${created.json.id}`);
    const connection = page.getByRole("region", { name: "Your connection" });
    await expect(connection.getByText("Not connected.")).toBeVisible();

    // Before connecting, asking the server is refused with what to do about it.
    await page.getByRole("button", { name: "Refresh tools" }).click();
    const refusal = page.getByRole("alert").filter({ hasText: "You haven't connected" });
    await expect(refusal).toBeVisible();
    await expect(refusal).not.toContainText("?connect=1"); // agents get the URL; here the button is the way
    await expect(connection.getByText("Nobody has connected yet.")).toBeVisible();
    expect(tracker.authorizations.filter(Boolean)).toEqual([]);

    // Connect: the server's own sign-in, then back here.
    await refusal.getByRole("button", { name: `Connect ${name}` }).click();
    await expect(page.getByRole("heading", { name: "Test identity provider" })).toBeVisible();
    await page.getByLabel("Email").fill(TRACKER_USER.email);
    await page.getByLabel("Password").fill(TRACKER_USER.password);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page).toHaveURL(new RegExp(`/settings/providers/${created.json.id}$`));
    await expect(connection.getByText(`Connected. Calls to ${name} now carry your account.`)).toBeVisible();
    await expect(connection.getByText("Connected", { exact: true })).toBeVisible();

    await page.getByRole("button", { name: "Refresh tools" }).click();
    const tool = page.getByRole("listitem", { name: "Tool whoami" });
    await expect(tool).toBeVisible();
    await tool.getByRole("button", { name: "Try it" }).click();
    await tool.getByRole("button", { name: "Call whoami" }).click();
    await expect(tool.getByTestId("tool-result-text")).toHaveText(TRACKER_USER.sub);

    // Disconnect: revoked at the server, and the next call is refused again.
    const revocations = idp.revocations();
    await connection.getByRole("button", { name: "Disconnect", exact: true }).click();
    await expect(connection.getByText("Not connected.")).toBeVisible();
    await expect.poll(() => idp.revocations()).toBeGreaterThan(revocations);
    await tool.getByRole("button", { name: "Call whoami" }).click();
    await expect(tool.getByRole("alert")).toContainText("You haven't connected");
  } finally {
    await tracker.stop();
    await idp.stop();
  }
});
