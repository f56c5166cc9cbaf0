import { json, withWorkspace } from "@/lib/api/handler";
import { createProvider, listProviders } from "@/lib/providers/data";
import { createProviderSchema, listProvidersQuerySchema } from "@/lib/providers/schemas";
import { discoverAfterResponse } from "@/lib/providers/tools";

// GET /api/v1/mcp-providers — a page of the workspace's providers, newest first
export const GET = withWorkspace({ query: listProvidersQuerySchema }, async ({ caller, query }) =>
  json(await listProviders({ workspaceId: caller.workspaceId, ...query })),
);

// POST /api/v1/mcp-providers — register a provider; its tools are discovered after the response
export const POST = withWorkspace({ role: "admin", body: createProviderSchema }, async ({ caller, body, req }) => {
  const provider = await createProvider({ workspaceId: caller.workspaceId, userId: caller.userId, input: body });
  discoverAfterResponse({ workspaceId: caller.workspaceId, id: provider.id, caller });
  const location = new URL(`/api/v1/mcp-providers/${provider.id}`, req.nextUrl.origin).pathname;
  return json(provider, { status: 201, headers: { location, etag: `"${provider.version}"` } });
});
