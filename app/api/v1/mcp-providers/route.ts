import { json, withWorkspace } from "@/lib/api/handler";
import { createProvider, listProviders } from "@/lib/providers/data";
import { createProviderSchema, listProvidersQuerySchema } from "@/lib/providers/schemas";
import { discoverQuietly } from "@/lib/providers/tools";

// GET /api/v1/mcp-providers — a page of the workspace's providers, newest first
export const GET = withWorkspace({ query: listProvidersQuerySchema }, async ({ caller, query }) =>
  json(await listProviders({ workspaceId: caller.workspaceId, ...query })),
);

// POST /api/v1/mcp-providers — register a provider
export const POST = withWorkspace({ role: "admin", body: createProviderSchema }, async ({ caller, body, req }) => {
  const created = await createProvider({ workspaceId: caller.workspaceId, userId: caller.userId, input: body });
  // Discover its tools now (as the creator); a failure here never fails the create.
  const provider = await discoverQuietly({ workspaceId: caller.workspaceId, id: created.id, user: { userId: caller.userId, workspaceId: caller.workspaceId } });
  const location = new URL(`/api/v1/mcp-providers/${provider.id}`, req.nextUrl.origin).pathname;
  return json(provider, { status: 201, headers: { location, etag: `"${provider.version}"` } });
});
