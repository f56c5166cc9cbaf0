import { json, withWorkspace } from "@/lib/api/handler";
import { createApiToken, createApiTokenSchema, listApiTokens } from "@/lib/auth/api-tokens";
import { clientAddress, enforce, LIMITS } from "@/lib/rate-limit";

// GET /api/v1/api-tokens — your tokens in this workspace (never their secrets)
export const GET = withWorkspace({}, async ({ caller }) =>
  json({ data: await listApiTokens({ userId: caller.userId, workspaceId: caller.workspaceId }) }),
);

// POST /api/v1/api-tokens — create a token; the secret is in this response only
export const POST = withWorkspace({ body: createApiTokenSchema }, async ({ caller, body, req }) => {
  await enforce([
    [LIMITS.apiTokenPerUser, caller.userId],
    [LIMITS.apiTokenPerAddress, clientAddress(req)],
  ]);
  const token = await createApiToken({ userId: caller.userId, workspaceId: caller.workspaceId, name: body.name });
  return json(token, { status: 201, headers: { location: `/api/v1/api-tokens/${token.id}`, "cache-control": "no-store" } });
});
