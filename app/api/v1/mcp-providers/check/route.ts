import { route } from "@/lib/api/handler";
import { checkNewProvider } from "@/lib/providers/tools";
import { checkNewProviderContract } from "./contract";

// POST /api/v1/mcp-providers/check — test a new provider's settings against its server; nothing is saved
export const POST = route(checkNewProviderContract, async ({ caller, body }) => ({
  status: 200,
  body: await checkNewProvider({ workspaceId: caller.workspaceId, caller, input: body }),
}));
