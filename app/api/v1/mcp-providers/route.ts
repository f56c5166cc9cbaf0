import { route } from "@/lib/api/handler";
import { etagOf } from "@/lib/api/etag";
import { createProvider, listProviders } from "@/lib/providers/data";
import { discoverAfterResponse } from "@/lib/providers/tools";
import { createProviderContract, listProvidersContract } from "./contract";

// GET /api/v1/mcp-providers — a page of the workspace's providers, newest first
export const GET = route(listProvidersContract, async ({ caller, query }) => ({
  status: 200,
  body: await listProviders({ workspaceId: caller.workspaceId, ...query }),
}));

// POST /api/v1/mcp-providers — register a provider; its tools are discovered after the response
export const POST = route(createProviderContract, async ({ caller, body }) => {
  const provider = await createProvider({ workspaceId: caller.workspaceId, userId: caller.userId, input: body });
  discoverAfterResponse({ workspaceId: caller.workspaceId, id: provider.id, caller });
  return { status: 201, body: provider, headers: { location: `/api/v1/mcp-providers/${provider.id}`, etag: etagOf(provider.version) } };
});
