import { expect, type APIRequestContext, type Page } from "@playwright/test";

export async function signIn(page: Page, user: { email: string; password: string }) {
  if (!page.url().includes("/signin")) await page.goto("/signin");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "MCP providers", exact: true })).toBeVisible();
}

let counter = 0;
/** Unique per test run and worker, so tests never see each other's data. */
export function unique(prefix: string) {
  return `${prefix}${Date.now().toString(36).slice(-5)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 5)}`;
}

/** The API as the signed-in browser would call it (session cookie + same Origin). */
export function api(request: APIRequestContext, baseURL: string) {
  const headers = { origin: baseURL, "content-type": "application/json" };
  return {
    get: async (path: string) => {
      const res = await request.get(`${baseURL}${path}`);
      return { status: res.status(), json: await res.json().catch(() => undefined) };
    },
    send: async (method: "POST" | "PATCH" | "DELETE", path: string, body?: unknown, extra: Record<string, string> = {}) => {
      const res = await request.fetch(`${baseURL}${path}`, { method, headers: { ...headers, ...extra }, data: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status(), json: await res.json().catch(() => undefined) };
    },
  };
}

export async function createProvider(request: APIRequestContext, baseURL: string, overrides: Record<string, unknown> = {}) {
  const id = unique("p");
  const res = await api(request, baseURL).send("POST", "/api/v1/mcp-providers", {
    name: `Provider ${id}`,
    server_identifier: id,
    server_url: `https://mcp.example.com/${id}`,
    ...overrides,
  });
  expect(res.status).toBe(201);
  return res.json as { id: string; name: string; server_identifier: string };
}

export function row(page: Page, identifier: string) {
  return page.getByTestId(`provider-row-${identifier}`);
}
