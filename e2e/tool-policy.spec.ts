// Tool policy `ask` in Chromium: an admin sets a tool to ask first on the provider page; a call
// from Try it, or from an MCP client that can't be asked (the MCP Inspector's CLI), waits until the
// caller approves or declines it in the console — inline in Try it, or in the bar on every page.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "./fixtures";
import { startEverythingServer } from "./support/everything-server";
import { api, unique } from "./helpers";
import { SERVERS } from "./users";

const base = SERVERS.enterprise;
const run = promisify(execFile);

test("an admin sets a tool to ask first; Try it waits for the approval given beside it", async ({ page, request }) => {
  const server = await startEverythingServer();
  try {
    const identifier = unique("ask");
    const created = await api(request, base)("POST /api/v1/mcp-providers", { body: { name: `Asks ${identifier}`, server_identifier: identifier, server_url: server.url } });
    expect(created.status).toBe(201);
    await page.goto(`/settings/providers/${created.json.id}`);
    const echo = page.getByRole("listitem", { name: "Tool echo" });
    await echo.getByRole("combobox", { name: "Policy for echo" }).selectOption("ask");
    await expect(page.getByText("echo now asks its caller before each call")).toBeVisible();
    await expect(echo.getByText("Each call of this tool waits until its caller confirms it")).toBeVisible();

    await echo.getByRole("button", { name: "Try it" }).click();
    await echo.getByLabel("message").fill("ship it");
    await echo.getByRole("button", { name: "Call echo" }).click();
    const waiting = echo.getByText("An admin set echo to ask first: it runs once you approve it.");
    await expect(waiting).toBeVisible();
    await expect(echo.getByText('{"message":"ship it"}')).toBeVisible();
    await echo.getByRole("button", { name: `Approve echo on Asks ${identifier}` }).click();
    await expect(echo.getByText("Echo: ship it")).toBeVisible();
    await expect(waiting).toBeHidden();
  } finally {
    await server.stop();
  }
});

test("an MCP client that can't be asked waits for the bar on every page; declining refuses its call", async ({ page, request }) => {
  const server = await startEverythingServer();
  try {
    const call = api(request, base);
    const identifier = unique("ask");
    const created = await call("POST /api/v1/mcp-providers", { body: { name: `Asks ${identifier}`, server_identifier: identifier, server_url: server.url, tool_policy: { ask: ["echo"] } } });
    expect(created.status).toBe(201);
    const token = await call("POST /api/v1/api-tokens", { body: { name: unique("ask-") } });
    const calling = run(process.execPath, [path.resolve("scripts/inspector.mjs"), `${base}/mcp/${identifier}`, "--transport", "http", "--header", `Authorization: Bearer ${token.json.token}`, "--method", "tools/call", "--tool-name", "echo", "--tool-arg", "message=drop the table"], { timeout: 60_000 });

    await page.goto("/activity");
    const bar = page.getByRole("region", { name: "A tool call is waiting for your approval" });
    await expect(bar).toBeVisible();
    await expect(bar).toContainText(`echo on Asks ${identifier}`);
    await expect(bar).toContainText("from your MCP client");
    await expect(bar).toContainText("drop the table");
    await bar.getByRole("button", { name: `Decline echo on Asks ${identifier}` }).click();
    await expect(bar).toBeHidden();

    const { stdout } = await calling;
    const result = JSON.parse(stdout) as { isError: boolean; content: { text: string }[] };
    expect(result.isError).toBe(true);
    expect(result.content[0].text).toContain("You declined the call of echo");

    await page.goto("/approvals");
    await expect(page.getByRole("listitem").filter({ hasText: `echo on Asks ${identifier}` })).toContainText("Declined");
    // The activity log says how the call was asked and what was decided.
    const row = page.getByRole("row").filter({ hasText: `${identifier} · echo` }).first();
    await expect(async () => {
      await page.goto("/activity");
      await expect(row).toContainText("Declined in the console", { timeout: 1000 });
    }).toPass();
  } finally {
    await server.stop();
  }
});
