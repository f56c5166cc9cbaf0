// Client for a token issuer behind the SPEC §5 contract (a remote enterprise service, or another
// console's /inner/api/mcp/issue-token). Status mapping: 428 → no refresh token; 401, 403 →
// refused; anything else, a timeout or a malformed body → token error.
import { IdentityError } from "@/lib/identity/errors";
import type { IssuedToken, IssueTokenRequest, TokenIssuer } from "@/lib/identity/token-issuer";

export const ISSUE_TOKEN_PATH = "/inner/api/mcp/issue-token";
export const ISSUER_SECRET_HEADER = "x-inner-api-secret";
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
        body: JSON.stringify({ user_id: request.userId, workspace_id: request.workspaceId, audience: request.audience, mode: request.mode }),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: "error",
      });
    } catch (error) {
      const timedOut = (error as Error)?.name === "TimeoutError";
      throw new IdentityError("token_error", timedOut ? "the token issuer did not answer in time" : "the token issuer is unreachable");
    }
    if (res.status === 428) throw new IdentityError("no_refresh_token", "no SSO refresh token for this user");
    if (res.status === 401 || res.status === 403) throw new IdentityError("refused", `the token issuer refused (${res.status})`);
    if (res.status !== 200) throw new IdentityError("token_error", `the token issuer answered ${res.status}`);
    return parseIssuedToken(await res.text());
  }
}

/** `{ token: string, expires_at: int | float }`; a boolean, a string or a missing field is malformed. */
export function parseIssuedToken(text: string): IssuedToken {
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
  return { token, expiresAt: expires_at };
}
