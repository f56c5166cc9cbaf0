import { expect, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import type { ApiKey } from "@/lib/api/contracts";
import { pathFor, type ApiAnswer } from "@/lib/client/api";
import { untilHydrated } from "./fixtures";

export async function signIn(page: Page, user: { email: string; password: string }) {
  if (!page.url().includes("/signin")) await page.goto("/signin");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "MCP providers", exact: true })).toBeVisible();
  await untilHydrated(page);
}

/** Signs in at `baseURL` through the test IdP's own page (the enterprise console's SSO). */
export async function signInWithSso(page: Page, baseURL: string, email: string, password: string) {
  await page.goto(`${baseURL}/signin`);
  await page.getByRole("button", { name: "Sign in with SSO" }).click();
  await expect(page.getByRole("heading", { name: "Test identity provider" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "MCP providers", exact: true })).toBeVisible();
}

let counter = 0;
/** Unique per test run and worker, so tests never see each other's data. */
export function unique(prefix: string) {
  return `${prefix}${Date.now().toString(36).slice(-5)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 5)}`;
}

type ApiCall = { params?: Record<string, string>; query?: Record<string, string>; body?: unknown; headers?: Record<string, string> };

/** The API as the signed-in browser would call it (session cookie + same Origin), by contract key. */
export function api(request: APIRequestContext, baseURL: string) {
  return async <K extends ApiKey>(key: K, input: ApiCall = {}): Promise<{ status: number; json: ApiAnswer<K> }> => {
    const [method = "GET", template = ""] = key.split(" ");
    const url = new URL(`${baseURL}${pathFor(template, input.params)}`);
    for (const [name, value] of Object.entries(input.query ?? {})) url.searchParams.set(name, value);
    const res = await request.fetch(url.href, {
      method,
      headers: { origin: baseURL, "content-type": "application/json", ...input.headers },
      data: input.body === undefined ? undefined : JSON.stringify(input.body),
    });
    const json: unknown = await res.json().catch(() => undefined);
    return { status: res.status(), json: json as ApiAnswer<K> };
  };
}

export async function createProvider(request: APIRequestContext, baseURL: string, overrides: Record<string, unknown> = {}) {
  const id = unique("p");
  const res = await api(request, baseURL)("POST /api/v1/mcp-providers", {
    body: { name: `Provider ${id}`, server_identifier: id, server_url: `https://mcp.example.com/${id}`, ...overrides },
  });
  expect(res.status).toBe(201);
  return res.json;
}

export function row(page: Page, identifier: string) {
  return page.getByTestId(`provider-row-${identifier}`);
}

/**
 * Submits the provider dialog with `button`. A save that changes how the console reaches the server
 * is tried first (Test connection); the tests' made-up servers fail it, so that answer is accepted
 * with "Save anyway" — after checking it said why.
 */
export async function saveProviderDialog(dialog: Locator, button: string, expectFailure = /Unreachable \(DNS\)|Needs your sign-in/) {
  const page = dialog.page();
  const checked = page.waitForResponse((res) => /^\/api\/v1\/mcp-providers\/(?:[^/]+\/)?check$/.test(new URL(res.url()).pathname));
  await dialog.getByRole("button", { name: button, exact: true }).click();
  const answer = (await (await checked).json()) as { ok: boolean };
  if (answer.ok) return;
  await expect(dialog.getByRole("status").filter({ hasText: "Test connection:" })).toContainText(expectFailure);
  await dialog.getByRole("button", { name: "Save anyway" }).click();
}
