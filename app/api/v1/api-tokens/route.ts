import { route } from "@/lib/api/handler";
import { createApiToken, listApiTokens } from "@/lib/auth/api-tokens";
import { clientAddress, enforce, LIMITS } from "@/lib/rate-limit";
import { createApiTokenContract, listApiTokensContract } from "./contract";

// GET /api/v1/api-tokens — your tokens in this workspace (never their secrets)
export const GET = route(listApiTokensContract, async ({ caller }) => ({
  status: 200,
  body: { data: await listApiTokens({ userId: caller.userId, workspaceId: caller.workspaceId }) },
}));

// POST /api/v1/api-tokens — create a token; the secret is in this response only
export const POST = route(createApiTokenContract, async ({ caller, body, req }) => {
  await enforce([
    [LIMITS.apiTokenPerUser, caller.userId],
    [LIMITS.apiTokenPerAddress, clientAddress(req)],
  ]);
  const token = await createApiToken({ userId: caller.userId, workspaceId: caller.workspaceId, name: body.name, expiresInDays: body.expires_in_days });
  return { status: 201, body: token, headers: { location: `/api/v1/api-tokens/${token.id}`, "cache-control": "no-store" } };
});
