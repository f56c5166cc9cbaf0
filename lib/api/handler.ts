// The ritual every v1 route shares: authenticate, check origin and role, parse params / query /
// body with the route's zod schemas, and turn anything thrown into problem+json.
import "server-only";
import { randomUUID } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import { parseJsonText, readCappedText } from "@/lib/api/body";
import { ApiError, problemResponse, validationError } from "@/lib/api/errors";
import { assertSameOrigin, authenticate, type Caller } from "@/lib/auth/request-auth";
import { hasRole, type Role } from "@/lib/auth/roles";
import { isDatabaseUnavailable, noteDatabaseAvailable, noteDatabaseUnavailable } from "@/lib/db-availability";
import { log } from "@/lib/log";

export const MAX_BODY_BYTES = 256 * 1024;

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

export type HandlerArgs<P, Q, B> = { req: NextRequest; caller: Caller; params: P; query: Q; body: B };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

async function readJsonBody(req: NextRequest): Promise<unknown> {
  const text = await readCappedText(req, MAX_BODY_BYTES);
  if (text.trim() === "") throw new ApiError("validation_failed", "A JSON body is required", { errors: [{ path: "", message: "Required" }] });
  return parseJsonText(text);
}

function parseWith<S extends Schema>(schema: S, value: unknown, onError: (error: z.ZodError) => ApiError): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw onError(result.error);
  return result.data;
}

/** Seconds a client should wait before retrying while the database is unreachable. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

export function toApiError(error: unknown, req: NextRequest, requestId: string): ApiError {
  if (error instanceof ApiError) return error;
  if (isDatabaseUnavailable(error)) {
    noteDatabaseUnavailable(error);
    return new ApiError("service_unavailable", "The console can't reach its database right now. Try again in a few seconds.", {
      headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
    });
  }
  log.error({ err: error, requestId, method: req.method, path: req.nextUrl.pathname }, "unhandled error in route handler");
  return new ApiError("internal_error", `Something went wrong on our side. It has been logged as ${requestId}.`);
}

/** The caller's request id when it is a sane one, so logs can be correlated across services. */
export function requestIdOf(req: Request): string {
  const incoming = req.headers.get("x-request-id");
  return incoming && /^[A-Za-z0-9._:-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

export function withWorkspace<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
  options: { role?: Role; params?: P; query?: Q; body?: B },
  handler: (args: HandlerArgs<Out<P>, Out<Q>, Out<B>>) => Promise<Response>,
) {
  return async (req: NextRequest, context?: RouteContext): Promise<Response> => {
    const requestId = requestIdOf(req);
    const started = performance.now();
    let userId: string | undefined;
    const finish = (res: Response) => {
      res.headers.set("x-request-id", requestId);
      log.info(
        { requestId, method: req.method, path: req.nextUrl.pathname, status: res.status, ms: Math.round(performance.now() - started), userId },
        "request",
      );
      return res;
    };
    try {
      const caller = await authenticate(req);
      userId = caller.userId;
      if (caller.via === "session" && !SAFE_METHODS.has(req.method)) assertSameOrigin(req);
      if (options.role && !hasRole(caller.role, options.role)) {
        throw new ApiError("forbidden", `This needs the ${options.role} role; you are a ${caller.role}`);
      }
      // Malformed ids are simply ids that don't exist here.
      const params = options.params
        ? parseWith(options.params, (await context?.params) ?? {}, () => new ApiError("not_found", "Not found"))
        : undefined;
      const query = options.query
        ? parseWith(options.query, Object.fromEntries(req.nextUrl.searchParams), (error) => validationError(error))
        : undefined;
      const body = options.body ? parseWith(options.body, await readJsonBody(req), (error) => validationError(error)) : undefined;
      const response = await handler({ req, caller, params, query, body } as HandlerArgs<Out<P>, Out<Q>, Out<B>>);
      noteDatabaseAvailable();
      return finish(response);
    } catch (error) {
      return finish(problemResponse(toApiError(error, req, requestId)));
    }
  };
}

export function json(data: unknown, init: ResponseInit = {}) {
  return NextResponse.json(data, init);
}
