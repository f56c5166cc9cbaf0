import { etagOf, versionFromIfMatch } from "@/lib/api/etag";
import { ApiError } from "@/lib/api/errors";
import { route } from "@/lib/api/handler";
import { deleteProvider, getProvider, updateProvider } from "@/lib/providers/data";
import { discoverAfterResponse } from "@/lib/providers/tools";
import { deleteProviderContract, getProviderContract, updateProviderContract } from "./contract";

// GET /api/v1/mcp-providers/{id} — one provider, with its ETag
export const GET = route(getProviderContract, async ({ caller, params }) => {
  const provider = await getProvider({ workspaceId: caller.workspaceId, id: params.id });
  return { status: 200, body: provider, headers: { etag: etagOf(provider.version) } };
});

// PATCH /api/v1/mcp-providers/{id} — merge-patch a provider (RFC 7396); If-Match guards a version
export const PATCH = route(updateProviderContract, async ({ caller, params, body, req }) => {
  const expectedVersion = versionFromIfMatch(req.headers.get("if-match"));
  if (expectedVersion === null) throw new ApiError("precondition_failed", 'If-Match must be an ETag this API returned, such as "3"');
  const { provider, droppedSecrets, urlChanged } = await updateProvider({ workspaceId: caller.workspaceId, userId: caller.userId, id: params.id, patch: body, expectedVersion });
  if (urlChanged) discoverAfterResponse({ workspaceId: caller.workspaceId, id: provider.id, caller });
  return {
    status: 200,
    body: droppedSecrets.length > 0 ? { ...provider, dropped_secrets: droppedSecrets } : provider,
    headers: { etag: etagOf(provider.version) },
  };
});

// DELETE /api/v1/mcp-providers/{id} — remove a provider
export const DELETE = route(deleteProviderContract, async ({ caller, params }) => {
  await deleteProvider({ workspaceId: caller.workspaceId, userId: caller.userId, id: params.id });
  return { status: 204 };
});
