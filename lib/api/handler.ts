// The ritual every v1 route shares, driven by the route's contract (lib/api/contract.ts):
// authenticate, check origin and role, parse params / query / body with the contract's schemas,
// answer with what the handler returns, and turn anything thrown into problem+json. What a handler
// may return is typed by the contract (statuses and body shapes); the integration tests check every
// body they see against the declared schema, field by field.
import "server-only";
import { randomUUID } from "node:crypto";
import type { NextRequest } from "next/server";
import type { z } from "zod";
import { parseJsonText, readCappedText } from "@/lib/api/body";
import { JSON_LINES, type BodyOf, type Contract, type ParamsOf, type QueryOf, type Reply } from "@/lib/api/contract";
import { ApiError, problemResponse, validationError } from "@/lib/api/errors";
import { assertSameOrigin, authenticate, type Caller } from "@/lib/auth/request-auth";
import { hasRole } from "@/lib/auth/roles";
import { isDatabaseUnavailable, noteDatabaseAvailable, noteDatabaseUnavailable } from "@/lib/db-availability";
import { log } from "@/lib/log";
import { ATTR } from "@/lib/observability/otlp";
import { traceRequest } from "@/lib/observability/tracing";

export const MAX_BODY_BYTES = 256 * 1024;

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

export type HandlerArgs<C extends Contract> = {
  req: NextRequest;
  caller: C["auth"] extends "public" ? undefined : Caller;
  params: ParamsOf<C>;
  query: QueryOf<C>;
  body: BodyOf<C>;
  /** The request's id (X-Request-Id), for logs and records that outlive the request. */
  requestId: string;
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A JSON body read within MAX_BODY_BYTES: a 413 past it, a 422 when empty or not JSON. */
export async function readJsonBody(req: Request): Promise<unknown> {
  const text = await readCappedText(req, MAX_BODY_BYTES);
  if (text.trim() === "") throw new ApiError("validation_failed", "A JSON body is required", { errors: [{ path: "", message: "Required" }] });
  return parseJsonText(text);
}

function parseWith(schema: z.ZodType | undefined, value: unknown, onError: (error: z.ZodError) => ApiError): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw onError(result.error);
  return result.data;
}

/** Seconds a client should wait before retrying while the database is unreachable. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

export function toApiError(error: unknown, req: Pick<Request, "method" | "url">, requestId: string): ApiError {
  if (error instanceof ApiError) return error;
  if (isDatabaseUnavailable(error)) {
    noteDatabaseUnavailable(error);
    return new ApiError("service_unavailable", "The console can't reach its database right now. Try again in a few seconds.", {
      headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
    });
  }
  log.error({ err: error, requestId, method: req.method, path: new URL(req.url).pathname }, "unhandled error in route handler");
  return new ApiError("internal_error", `Something went wrong on our side. It has been logged as ${requestId}.`);
}

/** The caller's request id when it is a sane one, so logs can be correlated across services. */
export function requestIdOf(req: { headers: Pick<Headers, "get"> }): string {
  const incoming = req.headers.get("x-request-id");
  return incoming && /^[A-Za-z0-9._:-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

function toResponse(reply: { status: number; body?: unknown; stream?: ReadableStream<Uint8Array>; headers?: Record<string, string> }): Response {
  if (reply.stream) return new Response(reply.stream, { status: reply.status, headers: { "content-type": `${JSON_LINES}; charset=utf-8`, ...reply.headers } });
  if (reply.body === undefined) return new Response(null, { status: reply.status, headers: reply.headers });
  return Response.json(reply.body, { status: reply.status, headers: reply.headers });
}

/** A route handler for `contract`: GET/POST/… of a route.ts is `route(contract, async (args) => reply)`. */
export function route<const C extends Contract>(contract: C, handler: (args: HandlerArgs<C>) => Reply<C> | Promise<Reply<C>>) {
  // With tracing on, a span of its own: the child of the client's traceparent, the parent of a tool call's span.
  return (req: NextRequest, context?: RouteContext): Promise<Response> => traceRequest(req, contract.path, async (span) => {
    const requestId = requestIdOf(req);
    span?.setAttribute(ATTR.requestId, requestId);
    const started = performance.now();
    let userId: string | undefined;
    const finish = (res: Response) => {
      res.headers.set("x-request-id", requestId);
      log.info({ requestId, method: req.method, path: req.nextUrl.pathname, status: res.status, ms: Math.round(performance.now() - started), userId, traceId: span?.spanContext().traceId }, "request");
      return res;
    };
    try {
      let caller: Caller | undefined;
      if (contract.auth === "caller") {
        caller = await authenticate(req);
        userId = caller.userId;
        span?.setAttributes({ [ATTR.userId]: caller.userId, [ATTR.workspaceId]: caller.workspaceId });
        if (caller.via === "session" && !SAFE_METHODS.has(req.method)) assertSameOrigin(req);
        if (contract.role && !hasRole(caller.role, contract.role)) {
          throw new ApiError("forbidden", `This needs the ${contract.role} role; you are a ${caller.role}`);
        }
      }
      // Malformed ids are simply ids that don't exist here.
      const params = parseWith(contract.params, (await context?.params) ?? {}, () => new ApiError("not_found", "Not found"));
      const query = parseWith(contract.query, Object.fromEntries(req.nextUrl.searchParams), (error) => validationError(error));
      const body = contract.body ? parseWith(contract.body, await readJsonBody(req), (error) => validationError(error)) : undefined;
      const reply = await handler({ req, caller, params, query, body, requestId } as HandlerArgs<C>);
      noteDatabaseAvailable();
      return finish(toResponse(reply));
    } catch (error) {
      return finish(problemResponse(toApiError(error, req, requestId)));
    }
  });
}
