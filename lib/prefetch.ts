// What a console page already knows on the server, handed to TanStack Query so the first paint shows
// data, not "Loading…". Each entry is the body the matching GET would answer (the same functions
// make it), under the query key the screen's hook uses; the screen then keeps it fresh as usual.
import "server-only";
import type { QueryKey } from "@tanstack/react-query";
import type { ApiKey } from "@/lib/api/contracts";
import { ApiError } from "@/lib/api/errors";
import { listApiTokens } from "@/lib/auth/api-tokens";
import type { Caller } from "@/lib/auth/request-auth";
import type { ApiResult } from "@/lib/client/api";
import { PROVIDER_LIST_LIMIT, queryKeys } from "@/lib/client/query-keys";
import { featuresFor } from "@/lib/features";
import { listConnectedApps } from "@/lib/oauth/connected-apps";
import { getProvider, listProviders } from "@/lib/providers/data";
import { listProviderTools } from "@/lib/providers/tools";
import { getWorkspaceSettings } from "@/lib/workspaces/settings";

export type Prefetch = { queryKey: QueryKey; data: unknown };

const answer = <K extends ApiKey>(queryKey: QueryKey, data: ApiResult<K>): Prefetch => ({ queryKey, data });

export const prefetch = {
  features: (caller: Caller) => answer<"GET /api/v1/features">(queryKeys.features, featuresFor(caller)),

  providers: async (caller: Caller) =>
    answer<"GET /api/v1/mcp-providers">(queryKeys.providers.list(""), await listProviders({ workspaceId: caller.workspaceId, limit: PROVIDER_LIST_LIMIT })),

  /** The provider's page: the provider and its tools, or nothing when it isn't there (the screen says so). */
  provider: async (caller: Caller, id: string): Promise<Prefetch[]> => {
    const where = { workspaceId: caller.workspaceId, id };
    try {
      return [
        answer<"GET /api/v1/mcp-providers/{id}">(queryKeys.providers.detail(id), await getProvider(where)),
        answer<"GET /api/v1/mcp-providers/{id}/tools">(queryKeys.providers.tools(id), await listProviderTools({ ...where, userId: caller.userId })),
      ];
    } catch (error) {
      if (error instanceof ApiError) return [];
      throw error;
    }
  },

  apiTokens: async (caller: Caller) =>
    answer<"GET /api/v1/api-tokens">(queryKeys.apiTokens, { data: await listApiTokens({ userId: caller.userId, workspaceId: caller.workspaceId }) }),

  workspaceSettings: async (caller: Caller) => answer<"GET /api/v1/settings">(queryKeys.workspaceSettings, await getWorkspaceSettings(caller)),

  connectedApps: async (caller: Caller) =>
    answer<"GET /api/v1/connected-apps">(queryKeys.connectedApps("mine"), { data: await listConnectedApps(caller, false) }),
};
