// The browser's fetcher, typed by the endpoints' contracts: `api("PATCH /api/v1/mcp-providers/{id}",
// { params, body })` returns what that endpoint's contract says it answers. Only types come from the
// contracts (no zod in the bundle); problem+json becomes an ApiClientError whose field errors the
// forms put back on their fields.
import type { InputOf, SuccessBodyOf } from "@/lib/api/contract";
import type { ApiContracts, ApiKey } from "@/lib/api/contracts";
import type { FieldError, Problem } from "@/lib/api/errors";

export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }
}

export type ApiInput<K extends ApiKey> = InputOf<ApiContracts[K]> & { headers?: Record<string, string> };

/** What an endpoint answers when it succeeds. */
export type ApiResult<K extends ApiKey> = SuccessBodyOf<ApiContracts[K]>;

/** A body as a test reads it: the endpoint's success shape, or a problem's fields. */
export type ApiAnswer<K extends ApiKey> = K extends ApiKey ? (ApiResult<K> extends object ? ApiResult<K> : unknown) & Partial<Problem> : never;

/** "/api/v1/mcp-providers/{id}" with { id } → "/api/v1/mcp-providers/4a…", each value encoded. */
export function pathFor(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params?.[name];
    return encodeURIComponent(typeof value === "string" || typeof value === "number" ? value : "");
  });
}

function queryString(query: Record<string, unknown> | undefined): string {
  const entries = Object.entries(query ?? {}).filter(([, value]) => value !== undefined && value !== "");
  return entries.length === 0 ? "" : `?${new URLSearchParams(entries.map(([name, value]) => [name, String(value)])).toString()}`;
}

export async function api<K extends ApiKey>(key: K, input: ApiInput<K>): Promise<ApiResult<K>> {
  const space = key.indexOf(" ");
  const method = key.slice(0, space);
  const { params, query, body, headers } = input as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown; headers?: Record<string, string> };
  let res: Response;
  try {
    res = await fetch(`${pathFor(key.slice(space + 1), params)}${queryString(query)}`, {
      method,
      headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      credentials: "same-origin",
    });
  } catch {
    throw new ApiClientError(0, "network_error", "Can't reach the console. Check your connection and try again.");
  }
  const text = await res.text();
  const data = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const problem = (data ?? {}) as Partial<Problem>;
    throw new ApiClientError(res.status, problem.code ?? "error", problem.detail ?? `Request failed (${res.status})`, problem.errors ?? []);
  }
  // The contract says what this endpoint answers; the server's integration tests hold it to that.
  return data as ApiResult<K>;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof ApiClientError ? error.detail : "Something went wrong. Try again.";
}
