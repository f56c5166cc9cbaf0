"use client";
// TanStack Query hooks for the console's data. Mutations invalidate on settle; the forwarding
// toggle and delete are optimistic and roll back (with a toast) when the server refuses.
import { useMutation, useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { toast } from "sonner";
import { apiFetch, errorMessage } from "@/lib/client/api";
import { queryKeys } from "@/lib/client/query-keys";
import type { IdentityMode } from "@/lib/identity/modes";
import type { CreateProviderInput, Provider, ProviderPatch } from "@/lib/providers/schemas";

export type Features = {
  enterprise_enabled: boolean;
  identity_modes: IdentityMode[];
  sso_enabled: boolean;
  role: "owner" | "admin" | "member";
  workspace: { id: string; name: string };
};

export type ProviderPage = { data: Provider[]; next_cursor: string | null };
export type ApiToken = { id: string; name: string; prefix: string; last_used_at: string | null; created_at: string };

export function useFeatures() {
  return useQuery({ queryKey: queryKeys.features, queryFn: () => apiFetch<Features>("/api/v1/features"), staleTime: 60_000 });
}

/** While a discovery is running, a provider's list and page poll for its result. */
const DISCOVERY_POLL_MS = 1500;

function anyPending(providers: Provider[] | undefined): boolean {
  return Boolean(providers?.some((provider) => provider.discovery.status === "pending"));
}

export function useProviders(q: string) {
  return useQuery({
    queryKey: queryKeys.providers.list(q),
    queryFn: () => apiFetch<ProviderPage>(`/api/v1/mcp-providers?limit=100${q ? `&q=${encodeURIComponent(q)}` : ""}`),
    refetchInterval: (query) => (anyPending(query.state.data?.data) ? DISCOVERY_POLL_MS : false),
  });
}

export function useProvider(id: string) {
  const client = useQueryClient();
  return useQuery({
    queryKey: queryKeys.providers.detail(id),
    queryFn: async () => {
      const provider = await apiFetch<Provider>(`/api/v1/mcp-providers/${id}`);
      // The discovery that was running has ended: its tools are new.
      const before = client.getQueryData<Provider>(queryKeys.providers.detail(id));
      if (before?.discovery.status === "pending" && provider.discovery.status !== "pending") void client.invalidateQueries({ queryKey: queryKeys.providers.tools(id) });
      return provider;
    },
    refetchInterval: (query) => (anyPending(query.state.data ? [query.state.data] : undefined) ? DISCOVERY_POLL_MS : false),
  });
}

export const SAVE_PROVIDER_KEY = ["providers", "save"];

export function useCreateProvider() {
  const client = useQueryClient();
  return useMutation({
    mutationKey: SAVE_PROVIDER_KEY,
    mutationFn: (input: CreateProviderInput) => apiFetch<Provider>("/api/v1/mcp-providers", { method: "POST", body: input }),
    onSuccess: (provider) => toast.success(`${provider.name} added`),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.providers.all }),
  });
}

export function useUpdateProvider() {
  const client = useQueryClient();
  return useMutation({
    mutationKey: SAVE_PROVIDER_KEY,
    mutationFn: ({ id, patch, version }: { id: string; patch: ProviderPatch; version?: number }) =>
      apiFetch<Provider & { dropped_secrets?: string[] }>(`/api/v1/mcp-providers/${id}`, {
        method: "PATCH",
        body: patch,
        headers: version ? { "if-match": `"${version}"` } : {},
      }),
    onSuccess: (provider) => {
      toast.success(`${provider.name} saved`);
      if (provider.dropped_secrets?.length) {
        toast.warning(`The server moved to another origin, so these stored secrets were removed: ${provider.dropped_secrets.join(", ")}.`);
      }
    },
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.providers.all }),
  });
}

/** Applies `change` to every cached provider list now; returns how to undo it. */
function optimisticListUpdate(client: ReturnType<typeof useQueryClient>, change: (page: ProviderPage) => ProviderPage) {
  const snapshots = client.getQueriesData<ProviderPage>({ queryKey: ["providers", "list"] });
  for (const [key, page] of snapshots) if (page) client.setQueryData<ProviderPage>(key, change(page));
  return () => snapshots.forEach(([key, page]: [QueryKey, ProviderPage | undefined]) => client.setQueryData(key, page));
}

export function useDeleteProvider() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (provider: Provider) => apiFetch<void>(`/api/v1/mcp-providers/${provider.id}`, { method: "DELETE" }),
    onMutate: async (provider) => {
      await client.cancelQueries({ queryKey: queryKeys.providers.all });
      return { rollback: optimisticListUpdate(client, (page) => ({ ...page, data: page.data.filter((p) => p.id !== provider.id) })) };
    },
    onError: (error, provider, context) => {
      context?.rollback();
      toast.error(`Couldn't delete ${provider.name}: ${errorMessage(error)}`);
    },
    onSuccess: (_data, provider) => toast.success(`${provider.name} deleted`),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.providers.all }),
  });
}

export function useToggleForwarding() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ provider, on }: { provider: Provider; on: boolean }) =>
      apiFetch<Provider>(`/api/v1/mcp-providers/${provider.id}`, { method: "PATCH", body: { identity_mode: on ? "idp_token" : "off" } }),
    onMutate: async ({ provider, on }) => {
      await client.cancelQueries({ queryKey: queryKeys.providers.all });
      const mode: IdentityMode = on ? "idp_token" : "off";
      const rollback = optimisticListUpdate(client, (page) => ({
        ...page,
        data: page.data.map((p) => (p.id === provider.id ? { ...p, identity_mode: mode, identity_forwarding_active: on } : p)),
      }));
      return { rollback };
    },
    onError: (error, { provider }, context) => {
      context?.rollback();
      toast.error(`Couldn't change identity forwarding for ${provider.name}: ${errorMessage(error)}`);
    },
    onSuccess: (provider) => toast.success(`Identity forwarding ${provider.identity_mode === "off" ? "off" : "on"} for ${provider.name}`),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.providers.all }),
  });
}

export function useApiTokens() {
  return useQuery({ queryKey: queryKeys.apiTokens, queryFn: () => apiFetch<{ data: ApiToken[] }>("/api/v1/api-tokens") });
}

export function useCreateApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => apiFetch<ApiToken & { token: string }>("/api/v1/api-tokens", { method: "POST", body: { name } }),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.apiTokens }),
  });
}

export function useRevokeApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: ApiToken) => apiFetch<void>(`/api/v1/api-tokens/${token.id}`, { method: "DELETE" }),
    onSuccess: (_data, token) => toast.success(`Revoked ${token.name}`),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.apiTokens }),
  });
}

export type ProviderTool = { name: string; title: string | null; description: string | null; input_schema: Record<string, unknown> };
export type ToolList = { data: ProviderTool[]; fetched_at: string | null; authed: boolean; view: "shared" | "yours" };
export type ToolResult = { content: Record<string, unknown>[]; structured_content: Record<string, unknown> | null; is_error: boolean };

export function useProviderTools(id: string) {
  return useQuery({ queryKey: queryKeys.providers.tools(id), queryFn: () => apiFetch<ToolList>(`/api/v1/mcp-providers/${id}/tools`) });
}

export function useRefreshTools(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<ToolList>(`/api/v1/mcp-providers/${id}/tools/refresh`, { method: "POST" }),
    onSuccess: (tools) => toast.success(`Found ${tools.data.length} ${tools.data.length === 1 ? "tool" : "tools"}`),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.providers.all }),
  });
}

export function useCallTool(id: string) {
  return useMutation({
    mutationFn: ({ tool, args }: { tool: string; args: Record<string, unknown> }) =>
      apiFetch<ToolResult>(`/api/v1/mcp-providers/${id}/tools/${encodeURIComponent(tool)}/call`, { method: "POST", body: { arguments: args } }),
  });
}
