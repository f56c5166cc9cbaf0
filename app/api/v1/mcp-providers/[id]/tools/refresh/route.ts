import { json, withWorkspace } from "@/lib/api/handler";
import { providerIdSchema } from "@/lib/providers/schemas";
import { refreshProviderTools } from "@/lib/providers/tools";

// POST /api/v1/mcp-providers/{id}/tools/refresh — run tools/list against the server now, as the caller
export const POST = withWorkspace({ params: providerIdSchema }, async ({ caller, params }) =>
  json(await refreshProviderTools({ workspaceId: caller.workspaceId, id: params.id, caller })),
);
