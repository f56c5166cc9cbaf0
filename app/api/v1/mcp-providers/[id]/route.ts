import { ApiError } from "@/lib/api/errors";
import { json, withWorkspace } from "@/lib/api/handler";
import { deleteProvider, getProvider, updateProvider } from "@/lib/providers/data";
import { providerIdSchema, providerPatchSchema } from "@/lib/providers/schemas";
import { discoverAfterResponse } from "@/lib/providers/tools";

const etag = (version: number) => `"${version}"`;

/** If-Match: "3" (or W/"3", or *). Anything else can't match any version: 412. */
function expectedVersion(header: string | null): number | undefined {
  if (header === null || header.trim() === "*") return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header);
  if (!match) throw new ApiError("precondition_failed", 'If-Match must be an ETag this API returned, such as "3"');
  return Number(match[1]);
}

// GET /api/v1/mcp-providers/{id} — one provider, with its ETag
export const GET = withWorkspace({ params: providerIdSchema }, async ({ caller, params }) => {
  const provider = await getProvider({ workspaceId: caller.workspaceId, id: params.id });
  return json(provider, { headers: { etag: etag(provider.version) } });
});

// PATCH /api/v1/mcp-providers/{id} — merge-patch a provider (RFC 7396); If-Match guards a version
export const PATCH = withWorkspace(
  { role: "admin", params: providerIdSchema, body: providerPatchSchema },
  async ({ caller, params, body, req }) => {
    const { provider, droppedSecrets, urlChanged } = await updateProvider({
      workspaceId: caller.workspaceId,
      userId: caller.userId,
      id: params.id,
      patch: body,
      expectedVersion: expectedVersion(req.headers.get("if-match")),
    });
    if (urlChanged) discoverAfterResponse({ workspaceId: caller.workspaceId, id: provider.id, caller });
    const response = droppedSecrets.length > 0 ? { ...provider, dropped_secrets: droppedSecrets } : provider;
    return json(response, { headers: { etag: etag(provider.version) } });
  },
);

// DELETE /api/v1/mcp-providers/{id} — remove a provider
export const DELETE = withWorkspace({ role: "admin", params: providerIdSchema }, async ({ caller, params }) => {
  await deleteProvider({ workspaceId: caller.workspaceId, userId: caller.userId, id: params.id });
  return new Response(null, { status: 204 });
});
