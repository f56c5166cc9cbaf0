// Client for a token issuer behind the SPEC §5 contract (a remote enterprise service, or another
// console's /inner/api/mcp/issue-token). Status mapping: 428 → no refresh token; 401, 403 →
// refused — except a 401 that says the shared secret is wrong, which is the operator's mistake,
// not the user's; 429 → try again later; anything else, a timeout or a malformed body → token error.
import { IdentityError } from "@/lib/identity/errors";
import type { IssuedToken, IssueTokenRequest, TokenIssuer } from "@/lib/identity/types";
import { log } from "@/lib/log";
import { isTimeoutError } from "@/lib/timeouts";

export const ISSUE_TOKEN_PATH = "/inner/api/mcp/issue-token";
export const ISSUER_SECRET_HEADER = "x-inner-api-secret";
/** The error a contract issuer answers (with 401) when the shared secret is wrong. */
export const INVALID_SECRET_ERROR = "invalid_secret";
const TIMEOUT_MS = 10_000;

export class RemoteIssuer implements TokenIssuer {
  constructor(
    private readonly baseUrl: string,
    private readonly secret: string,
    private readonly timeoutMs = TIMEOUT_MS,
  ) {}

  async issue(request: IssueTokenRequest): Promise<IssuedToken> {
    let res: Response;
    try {
      res = await fetch(new URL(ISSUE_TOKEN_PATH, this.baseUrl), {
        method: "POST",
        headers: { "content-type": "application/json", [ISSUER_SECRET_HEADER]: this.secret },
        body: JSON.stringify(issueTokenBody(request)),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: "error",
      });
    } catch (error) {
      throw new IdentityError("token_error", isTimeoutError(error) ? "the token issuer did not answer in time" : "the token issuer is unreachable");
    }
    const text = await res.text().catch(() => "");
    if (res.status === 428) throw new IdentityError("no_refresh_token", "no SSO refresh token for this user");
    if (res.status === 401 && errorCodeOf(text) === INVALID_SECRET_ERROR) {
      log.error({ issuer: this.baseUrl }, "the token issuer refused this console's ENTERPRISE_API_SECRET: the operator must set the issuer's secret");
      throw new IdentityError("token_error", "the token issuer is misconfigured");
    }
    const refusal = refusalOf(res.status, errorCodeOf(text), text);
    if (refusal) throw refusal;
    if (res.status === 401 || res.status === 403) {
      throw new IdentityError("refused", `the token issuer refused (${res.status})`, { refusedBy: res.status === 403 ? "policy" : "session" });
    }
    if (res.status === 429) {
      const retryAfter = Number(res.headers.get("retry-after"));
      throw new IdentityError("rate_limited", "the token issuer is rate limiting", { retryAfter: Number.isInteger(retryAfter) && retryAfter > 0 ? retryAfter : 60 });
    }
    if (res.status !== 200) throw new IdentityError("token_error", `the token issuer answered ${res.status}`);
    return parseIssuedToken(text);
  }
}

/** The contract's body: what the mode needs, and nothing a mode doesn't use. */
export function issueTokenBody(request: IssueTokenRequest) {
  return {
    user_id: request.userId,
    workspace_id: request.workspaceId,
    audience: request.audience,
    mode: request.mode,
    ...(request.resource ? { resource: request.resource } : {}),
    ...(request.subjectTokenType ? { subject_token_type: request.subjectTokenType } : {}),
    ...(request.profile ? { profile: request.profile } : {}),
    ...(request.scope ? { scope: request.scope } : {}),
  };
}

/** The refusals an issuer names (403 with `error`), which tell the user more than "refused". */
export const NAMED_REFUSALS = ["exchange_refused", "assertion_refused", "metadata_missing"] as const;

function refusalOf(status: number, code: unknown, text: string): IdentityError | undefined {
  if (status !== 403 || !(NAMED_REFUSALS as readonly unknown[]).includes(code)) return undefined;
  const detail = fieldOf(text, "detail");
  return new IdentityError(code as (typeof NAMED_REFUSALS)[number], typeof detail === "string" && /^[\w .:-]{1,120}$/.test(detail) ? detail : "the token issuer refused");
}

function fieldOf(text: string, name: string): unknown {
  try {
    return (JSON.parse(text) as Record<string, unknown> | null)?.[name];
  } catch {
    return undefined;
  }
}

function errorCodeOf(text: string): unknown {
  return fieldOf(text, "error");
}

/**
 * `{ token: string, expires_at: int | float }` with `expires_at` in the future; a boolean, a string,
 * a missing field or an expiry that has already passed is malformed.
 */
export function parseIssuedToken(text: string, nowSeconds = Date.now() / 1000): IssuedToken {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new IdentityError("token_error", "the token issuer sent a malformed body");
  }
  const { token, expires_at } = (body ?? {}) as Record<string, unknown>;
  if (typeof token !== "string" || token === "" || typeof expires_at !== "number" || !Number.isFinite(expires_at)) {
    throw new IdentityError("token_error", "the token issuer sent a malformed body");
  }
  if (expires_at <= nowSeconds) throw new IdentityError("token_error", "the token issuer sent a token that has already expired");
  return { token, expiresAt: expires_at };
}
