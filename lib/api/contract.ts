// An endpoint's contract: one value, declared next to its handler (a `contract.ts` beside each
// `route.ts`), that says everything about it — method, path, who may call it, what it parses and
// what it answers, status by status. The handler wrapper parses with it (lib/api/handler.ts), the
// OpenAPI document is generated from it (lib/api/openapi.ts), the browser's fetcher takes its types
// from it (lib/client/api.ts), and the integration tests' request helper checks every answer
// against it (tests/integration/helpers.ts).
import type { z } from "zod";
import type { ErrorCode } from "@/lib/api/errors";
import type { Role } from "@/lib/auth/roles";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type SuccessStatus = 200 | 201 | 204;

export type ResponseSpec = {
  description: string;
  /** The body; none for 204. */
  schema?: z.ZodType;
  /** Response headers worth documenting, by name. */
  headers?: Record<string, string>;
  /** A JSON Lines stream (application/x-ndjson) rather than one JSON body: `schema` describes each line. */
  jsonLines?: true;
};

/** The media type of a JSON Lines answer. */
export const JSON_LINES = "application/x-ndjson";

export type Contract = {
  method: HttpMethod;
  /** The OpenAPI path template: "/api/v1/mcp-providers/{id}". */
  path: `/${string}`;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** "caller": a session cookie or an API token; "public": anyone. */
  auth: "caller" | "public";
  /** The least role the caller needs; none: any member. */
  role?: Role;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Request headers the endpoint reads, by name. */
  requestHeaders?: Record<string, string>;
  responses: Partial<Record<SuccessStatus, ResponseSpec>>;
  /** The problems particular to this endpoint; the ones every endpoint of its kind can answer are added by errorCodesOf. */
  errors: readonly ErrorCode[];
};

export function defineContract<const C extends Contract>(contract: C): C {
  return contract;
}

/** Every problem an endpoint can answer: its own, and what its kind implies. */
export function errorCodesOf(contract: Contract): ErrorCode[] {
  const codes = new Set<ErrorCode>(contract.errors);
  codes.add("service_unavailable");
  if (contract.auth === "caller") {
    codes.add("unauthenticated");
    // Cookie-authenticated changes must pass the Origin check.
    if (contract.method !== "GET") codes.add("forbidden");
  }
  if (contract.role) codes.add("forbidden");
  if (contract.params) codes.add("not_found");
  if (contract.query || contract.body) codes.add("validation_failed");
  if (contract.body) codes.add("payload_too_large");
  return [...codes];
}

// Types derived from a contract.

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
type Given<S> = S extends z.ZodType ? z.input<S> : undefined;

export type ParamsOf<C extends Contract> = Parsed<C["params"]>;
export type QueryOf<C extends Contract> = Parsed<C["query"]>;
export type BodyOf<C extends Contract> = Parsed<C["body"]>;

/** What a request may carry, before parsing (what a client sends). */
export type InputOf<C extends Contract> = (C["params"] extends z.ZodType ? { params: Given<C["params"]> } : { params?: undefined }) &
  (C["query"] extends z.ZodType ? { query?: Given<C["query"]> } : { query?: undefined }) &
  (C["body"] extends z.ZodType ? { body: Given<C["body"]> } : { body?: undefined });

type StatusesOf<C extends Contract> = keyof C["responses"] & SuccessStatus;

type ResponseBody<R> = R extends { schema: infer S extends z.ZodType } ? z.input<S> : undefined;

/** A successful answer, as a handler returns it: only a declared status with its declared body. */
export type Reply<C extends Contract> = {
  [S in StatusesOf<C>]: C["responses"][S] extends { jsonLines: true }
    ? { status: S; stream: ReadableStream<Uint8Array>; headers?: Record<string, string> }
    : ResponseBody<C["responses"][S]> extends undefined
    ? { status: S; body?: undefined; headers?: Record<string, string> }
    : { status: S; body: ResponseBody<C["responses"][S]>; headers?: Record<string, string> };
}[StatusesOf<C>];

/** The body of a successful answer, as a client receives it. */
export type SuccessBodyOf<C extends Contract> = {
  [S in StatusesOf<C>]: C["responses"][S] extends { schema: infer T extends z.ZodType } ? (C["responses"][S] extends { jsonLines: true } ? z.output<T>[] : z.output<T>) : undefined;
}[StatusesOf<C>];

/** "PATCH /api/v1/mcp-providers/{id}": how the client and the tests name an endpoint. */
export type KeyOf<C extends Contract> = `${C["method"]} ${C["path"]}`;

export function keyOf(contract: Contract): string {
  return `${contract.method} ${contract.path}`;
}
