// The API's error model: one list of codes, one error class, one problem+json renderer (RFC 9457).
import { z } from "zod";

export const ERROR_STATUS = {
  unauthenticated: 401,
  forbidden: 403,
  tool_disabled: 403,
  // A tool whose policy is ask (lib/policy/ask.ts): its caller said no, or didn't say in time.
  approval_declined: 403,
  approval_timed_out: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  validation_failed: 422,
  rate_limited: 429,
  // Identity forwarding and the MCP server behind a provider (see lib/identity/errors.ts).
  identity_required: 424,
  identity_refused: 424,
  identity_unavailable: 503,
  // OAuth to the server (SPEC §9): the caller (or, for a shared one, an admin) must connect first.
  connection_required: 424,
  upstream_unauthorized: 502,
  upstream_error: 502,
  upstream_timeout: 504,
  service_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** What a call that forwards the user's identity can answer when no token can be had. */
export const IDENTITY_FAILURE_CODES = ["identity_required", "identity_refused", "identity_unavailable", "rate_limited"] as const satisfies readonly ErrorCode[];

/** What a call can answer when the MCP server behind a provider fails, or its OAuth connection is missing. */
export const UPSTREAM_FAILURE_CODES = ["connection_required", "upstream_unauthorized", "upstream_error", "upstream_timeout"] as const satisfies readonly ErrorCode[];

const TITLES: Record<ErrorCode, string> = {
  unauthenticated: "Authentication required",
  forbidden: "Forbidden",
  tool_disabled: "Tool disabled",
  approval_declined: "Call declined",
  approval_timed_out: "Call not confirmed in time",
  not_found: "Not found",
  conflict: "Conflict",
  precondition_failed: "Precondition failed",
  payload_too_large: "Payload too large",
  validation_failed: "Validation failed",
  rate_limited: "Too many requests",
  identity_required: "Your identity is needed",
  identity_refused: "Identity refused",
  identity_unavailable: "Identity service unavailable",
  connection_required: "Connect to the MCP server first",
  upstream_unauthorized: "The MCP server refused the credentials",
  upstream_error: "The MCP server failed",
  upstream_timeout: "The MCP server timed out",
  service_unavailable: "Service unavailable",
  internal_error: "Internal server error",
};

export type FieldError = { path: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string>; extensions?: { connect_url?: string } } = {},
  ) {
    super(detail);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string().describe("What went wrong, in words a user can act on"),
    code: z.enum(ERROR_CODES),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe("One entry per invalid field"),
    connect_url: z.string().optional().describe("connection_required: the page where the connection is made"),
  })
  .describe("An RFC 9457 problem");

export type Problem = z.infer<typeof problemSchema>;

export function toProblem(error: ApiError): Problem {
  return {
    type: `https://mcp-console.dev/problems/${error.code.replaceAll("_", "-")}`,
    title: TITLES[error.code],
    status: error.status,
    detail: error.detail,
    code: error.code,
    ...(error.options.errors ? { errors: error.options.errors } : {}),
    ...error.options.extensions,
  };
}

export function problemResponse(error: ApiError): Response {
  return new Response(JSON.stringify(toProblem(error)), {
    status: error.status,
    headers: { "content-type": "application/problem+json", ...error.options.headers },
  });
}

/** "headers.X-Api-Key", "configuration.timeout"; the body itself is "". */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

export function validationError(error: z.ZodError, prefix: readonly PropertyKey[] = []): ApiError {
  const errors = error.issues.flatMap((issue): FieldError[] => {
    // Unknown fields are reported one per field, on the field itself.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: formatPath([...prefix, ...issue.path, key]), message: "Unknown field" }));
    }
    // A bad map key (a forbidden header name, say): report the key's own problem, not "Invalid key".
    const message = issue.code === "invalid_key" && issue.issues[0] ? issue.issues[0].message : issue.message;
    return [{ path: formatPath([...prefix, ...issue.path]), message }];
  });
  const summary = errors.length === 1 ? `${errors[0].path || "body"}: ${errors[0].message}` : `${errors.length} fields are invalid`;
  return new ApiError("validation_failed", summary, { errors });
}
