// POST /inner/api/mcp/issue-token — the built-in token issuer's HTTP face (SPEC §5), for other
// consoles and for tests of the remote client. Enterprise only, behind a shared secret.
import { z } from "zod";
import { readCappedText } from "@/lib/api/body";
import { ApiError } from "@/lib/api/errors";
import { constantTimeEqual } from "@/lib/crypto";
import { env } from "@/lib/env";
import { BuiltinIssuer } from "@/lib/identity/builtin-issuer";
import { IdentityError } from "@/lib/identity/errors";
import { EXCHANGE_PROFILES, IDENTITY_MODES, SUBJECT_TOKEN_TYPES } from "@/lib/identity/modes";
import { INVALID_SECRET_ERROR, ISSUER_SECRET_HEADER } from "@/lib/identity/remote-issuer";
import { scopeSchema } from "@/lib/providers/schemas";
import { isDatabaseUnavailable, noteDatabaseUnavailable } from "@/lib/db-availability";
import { log } from "@/lib/log";
import { clientAddress, hit, LIMITS, noteRefusal, peek } from "@/lib/rate-limit";

const bodySchema = z.strictObject({
  user_id: z.string().min(1).max(64),
  workspace_id: z.string().min(1).max(64),
  audience: z.url().max(2048),
  mode: z.enum(IDENTITY_MODES),
  // What token_exchange and id_jag need besides the audience (SPEC §10).
  resource: z.url().max(2048).optional(),
  subject_token_type: z.enum(SUBJECT_TOKEN_TYPES).optional(),
  profile: z.enum(EXCHANGE_PROFILES).optional(),
  scope: scopeSchema.optional(),
});

const answer = (status: number, body: object, headers: Record<string, string> = {}) => Response.json(body, { status, headers });
const tooMany = (retryAfter: number, detail: string) => answer(429, { error: "rate_limited", detail }, { "retry-after": String(retryAfter) });

export async function POST(req: Request): Promise<Response> {
  try {
    return await issueToken(req);
  } catch (error) {
    if (isDatabaseUnavailable(error)) {
      noteDatabaseUnavailable(error);
      return answer(503, { error: "temporarily_unavailable" }, { "retry-after": "5" });
    }
    log.error({ err: error }, "token issuer failed");
    return answer(500, { error: "internal_error" });
  }
}

async function issueToken(req: Request): Promise<Response> {
  const { ENTERPRISE_ENABLED, ENTERPRISE_API_SECRET } = env();
  if (!ENTERPRISE_ENABLED || !ENTERPRISE_API_SECRET) return answer(404, { error: "not_found" });
  // Throttled before the secret is compared: guessing it is slow.
  const address = clientAddress(req);
  const guessWait = await peek(LIMITS.issuerSecretFailuresPerAddress, address);
  if (guessWait > 0) {
    noteRefusal(LIMITS.issuerSecretFailuresPerAddress);
    return tooMany(guessWait, "too many wrong secrets from this address");
  }
  const addressWait = await hit(LIMITS.identityTokenPerAddress, address);
  if (addressWait > 0) {
    noteRefusal(LIMITS.identityTokenPerAddress);
    return tooMany(addressWait, "too many token requests from this address");
  }
  if (!constantTimeEqual(req.headers.get(ISSUER_SECRET_HEADER) ?? "", ENTERPRISE_API_SECRET)) {
    await hit(LIMITS.issuerSecretFailuresPerAddress, address);
    log.warn({ address }, "the token issuer was called with a wrong shared secret");
    return answer(401, { error: INVALID_SECRET_ERROR });
  }

  let body: unknown;
  try {
    body = JSON.parse(await readCappedText(req, 16 * 1024));
  } catch (error) {
    if (error instanceof ApiError && error.code === "payload_too_large") return answer(413, { error: "payload_too_large" });
    body = undefined;
  }
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) return answer(400, { error: "invalid_request", detail: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
  const { user_id, workspace_id, audience, mode, resource, subject_token_type, profile, scope } = parsed.data;
  try {
    const issued = await new BuiltinIssuer().issue({ userId: user_id, workspaceId: workspace_id, audience, mode, resource, subjectTokenType: subject_token_type, profile, scope });
    return answer(200, { token: issued.token, expires_at: issued.expiresAt });
  } catch (error) {
    if (!(error instanceof IdentityError)) throw error;
    switch (error.failure) {
      case "no_refresh_token":
        return answer(428, { error: "no_refresh_token", detail: error.message });
      case "refused":
        return answer(error.refusedBy === "policy" ? 403 : 401, { error: "refused", detail: error.message });
      case "exchange_refused":
      case "assertion_refused":
      case "metadata_missing":
        return answer(403, { error: error.failure, detail: error.message });
      case "rate_limited":
        return tooMany(error.options.retryAfter ?? 60, "too many tokens for this user; try again later");
      default:
        return answer(502, { error: "token_error", detail: error.message });
    }
  }
}
