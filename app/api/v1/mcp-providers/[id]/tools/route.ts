import { json, withWorkspace } from "@/lib/api/handler";
import { providerIdSchema } from "@/lib/providers/schemas";
import { listProviderTools } from "@/lib/providers/tools";

// GET /api/v1/mcp-providers/{id}/tools — the tools as you see them, from the last discovery
export const GET = withWorkspace({ params: providerIdSchema }, async ({ caller, params }) =>
  json(await listProviderTools({ workspaceId: caller.workspaceId, id: params.id, userId: caller.userId })),
);
