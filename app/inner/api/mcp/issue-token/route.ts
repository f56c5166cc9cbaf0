// POST /inner/api/mcp/issue-token — the built-in token issuer's HTTP face (SPEC §5), for other
// consoles and for tests of the remote client. Enterprise only, behind a shared secret.
import { z } from "zod";
import { constantTimeEqual } from "@/lib/crypto";
import { env } from "@/lib/env";
import { BuiltinIssuer } from "@/lib/identity/builtin-issuer";
import { IdentityError } from "@/lib/identity/errors";
import { IDENTITY_MODES } from "@/lib/identity/modes";
import { ISSUER_SECRET_HEADER } from "@/lib/identity/remote-issuer";
import { log } from "@/lib/log";
import { ApiError, problemResponse } from "@/lib/api/errors";
import { clientAddress, enforce, LIMITS } from "@/lib/rate-limit";

const bodySchema = z.strictObject({
  user_id: z.string().min(1).max(64),
  workspace_id: z.string().min(1).max(64),
  audience: z.url().max(2048),
  mode: z.enum(IDENTITY_MODES),
});

const answer = (status: number, body: object) => Response.json(body, { status });

export async function POST(req: Request) {
  const { ENTERPRISE_ENABLED, ENTERPRISE_API_SECRET } = env();
  if (!ENTERPRISE_ENABLED || !ENTERPRISE_API_SECRET) return answer(404, { error: "not_found" });
  if (!constantTimeEqual(req.headers.get(ISSUER_SECRET_HEADER) ?? "", ENTERPRISE_API_SECRET)) return answer(401, { error: "invalid_secret" });
  const parsed = bodySchema.safeParse(await req.json().catch(() => undefined));
  if (!parsed.success) return answer(400, { error: "invalid_request", detail: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
  const { user_id, workspace_id, audience, mode } = parsed.data;
  try {
    // Per user is counted by the issuer itself (for in-process calls too); per address here.
    await enforce([[LIMITS.identityTokenPerAddress, clientAddress(req)]]);
  } catch (error) {
    if (error instanceof ApiError) return problemResponse(error);
    throw error;
  }
  try {
    const issued = await new BuiltinIssuer().issue({ userId: user_id, workspaceId: workspace_id, audience, mode });
    return answer(200, { token: issued.token, expires_at: issued.expiresAt });
  } catch (error) {
    if (!(error instanceof IdentityError)) {
      log.error({ err: error }, "token issuer failed");
      return answer(500, { error: "internal_error" });
    }
    if (error.failure === "no_refresh_token") return answer(428, { error: "no_refresh_token", detail: error.message });
    if (error.failure === "refused") return answer(error.refusedBy === "policy" ? 403 : 401, { error: "refused", detail: error.message });
    return answer(502, { error: "token_error", detail: error.message });
  }
}
