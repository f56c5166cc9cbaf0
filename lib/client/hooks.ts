"use client";
// TanStack Query hooks for the console's data. Mutations invalidate on settle; the forwarding
// toggle and delete are optimistic and roll back (with a toast) when the server refuses.
import { keepPreviousData, useInfiniteQuery, useIsMutating, useMutation, useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { etagOf } from "@/lib/api/etag";
import { api, errorMessage, type ApiInput, type ApiResult } from "@/lib/client/api";
import { PROVIDER_LIST_LIMIT, queryKeys, TOOL_CALL_PAGE } from "@/lib/client/query-keys";
import { chartWindow, type ChartRange } from "@/lib/activity/stats-window";
import type { IdentityMode } from "@/lib/identity/modes";
import type { CreateProviderInput, Provider, ProviderPatch } from "@/lib/providers/schemas";

// The shapes the screens use, as the endpoints' contracts declare them.
export type Features = ApiResult<"GET /api/v1/features">;
export type ProviderPage = ApiResult<"GET /api/v1/mcp-providers">;
export type ApiToken = ApiResult<"GET /api/v1/api-tokens">["data"][number];
export type ConnectedApp = ApiResult<"GET /api/v1/connected-apps">["data"][number];
export type ToolList = ApiResult<"GET /api/v1/mcp-providers/{id}/tools">;
export type ProviderTool = ToolList["data"][number];
export type ToolResult = ApiResult<"POST /api/v1/mcp-providers/{id}/tools/{tool}/call">;
export type IdentityCheck = ApiResult<"POST /api/v1/mcp-providers/{id}/identity-check">;
export type ToolCallPage = ApiResult<"GET /api/v1/tool-calls">;
export type ToolCallEntry = ToolCallPage["data"][number];
export type ToolCallStats = ApiResult<"GET /api/v1/tool-calls/stats">;
export type MemberList = ApiResult<"GET /api/v1/members">;
export type Member = MemberList["data"][number];
export type Invitation = MemberList["invitations"][number];
export type CreatedInvitation = ApiResult<"POST /api/v1/invitations">;
export type Workspace = ApiResult<"GET /api/v1/workspaces">["data"][number];
export type ReceivedInvitation = ApiResult<"GET /api/v1/my-invitations">["data"][number];
export type WorkspaceSettings = ApiResult<"GET /api/v1/settings">;
export type ApprovalList = ApiResult<"GET /api/v1/approvals">;
export type Approval = ApprovalList["pending"][number];

export function useFeatures() {
  return useQuery({ queryKey: queryKeys.features, queryFn: () => api("GET /api/v1/features", {}), staleTime: 60_000 });
}

/** While a discovery is running, a provider's list and page poll for its result. */
const DISCOVERY_POLL_MS = 1500;

function anyPending(providers: Provider[] | undefined): boolean {
  return Boolean(providers?.some((provider) => provider.discovery.status === "pending"));
}

/** A page of providers matching `q` (searched on the server), starting at `cursor`. */
export function useProviders(q: string, cursor = "") {
  return useQuery({
    queryKey: queryKeys.providers.list(q, cursor),
    queryFn: () => api("GET /api/v1/mcp-providers", { query: { limit: PROVIDER_LIST_LIMIT, q, ...(cursor ? { cursor } : {}) } }),
    // The page on screen stays while the next one loads.
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (anyPending(query.state.data?.data) ? DISCOVERY_POLL_MS : false),
  });
}

export function useProvider(id: string) {
  const client = useQueryClient();
  return useQuery({
    queryKey: queryKeys.providers.detail(id),
    queryFn: async () => {
      const provider = await api("GET /api/v1/mcp-providers/{id}", { params: { id } });
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
    mutationFn: (input: CreateProviderInput) => api("POST /api/v1/mcp-providers", { body: input }),
    onSuccess: (provider) => toast.success(`${provider.name} added`),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.providers.all }),
  });
}

/** Test connection: the dialog's values tried against the server, nothing saved. */
export function useCheckConnection() {
  return useMutation({
    mutationFn: (request: { id: string; patch: ProviderPatch } | { input: CreateProviderInput }) =>
      "id" in request
        ? api("POST /api/v1/mcp-providers/{id}/check", { params: { id: request.id }, body: request.patch })
        : api("POST /api/v1/mcp-providers/check", { body: request.input }),
  });
}

const DROPPED_SECRET_NAMES: Record<string, string> = {
  "authentication.client_secret": "client secret",
  "authentication.private_key": "private key",
  "identity_settings.client_secret": "identity client secret",
};

/** A dropped secret's path (headers.X-Api-Key, authentication.client_secret…) as the user knows it. */
function droppedSecretName(path: string): string {
  return path.startsWith("headers.") ? `header ${path.slice("headers.".length)}` : (DROPPED_SECRET_NAMES[path] ?? path);
}

export function useUpdateProvider() {
  const client = useQueryClient();
  return useMutation({
    mutationKey: SAVE_PROVIDER_KEY,
    mutationFn: ({ id, patch, version }: { id: string; patch: ProviderPatch; version?: number }) =>
      api("PATCH /api/v1/mcp-providers/{id}", { params: { id }, body: patch, headers: version ? { "if-match": etagOf(version) } : {} }),
    onSuccess: (provider) => {
      toast.success(`${provider.name} saved`);
      if (provider.dropped_secrets?.length) {
        toast.warning(`The server moved, so these stored secrets were removed: ${provider.dropped_secrets.map(droppedSecretName).join(", ")}. Enter them again if the new server needs them.`);
      }
    },
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.providers.all }),
  });
}

/** Applies `change` to every cached provider list now; returns how to undo it. */
function optimisticListUpdate(client: ReturnType<typeof useQueryClient>, change: (page: ProviderPage) => ProviderPage) {
  const snapshots = client.getQueriesData<ProviderPage>({ queryKey: ["providers", "list"] });
  for (const [key, page] of snapshots) if (page) client.setQueryData<ProviderPage>(key, change(page));
  return () => { snapshots.forEach(([key, page]: [QueryKey, ProviderPage | undefined]) => client.setQueryData(key, page)); };
}

/** Who created and changed the provider (admins only), newest first; "Show more" pages on. */
export function useProviderHistory(id: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.providers.history(id),
    queryFn: ({ pageParam }) => api("GET /api/v1/mcp-providers/{id}/history", { params: { id }, query: { limit: "20", ...(pageParam ? { cursor: pageParam } : {}) } }),
    initialPageParam: "",
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function useDeleteProvider() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (provider: Provider) => api("DELETE /api/v1/mcp-providers/{id}", { params: { id: provider.id } }),
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
      api("PATCH /api/v1/mcp-providers/{id}", { params: { id: provider.id }, body: { identity_mode: on ? "idp_token" : "off" } }),
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
  return useQuery({ queryKey: queryKeys.apiTokens, queryFn: () => api("GET /api/v1/api-tokens", {}) });
}

export function useCreateApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; expires_in_days?: number }) => api("POST /api/v1/api-tokens", { body: input }),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.apiTokens }),
  });
}

export function useRevokeApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: ApiToken) => api("DELETE /api/v1/api-tokens/{id}", { params: { id: token.id } }),
    onSuccess: (_data, token) => toast.success(`Revoked ${token.name}`),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.apiTokens }),
  });
}

export function useConnectedApps(scope: "mine" | "workspace") {
  return useQuery({ queryKey: queryKeys.connectedApps(scope), queryFn: () => api("GET /api/v1/connected-apps", { query: { scope } }) });
}

export function useRevokeConnectedApp() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (app: ConnectedApp) => api("DELETE /api/v1/connected-apps/{id}", { params: { id: app.id } }),
    onSuccess: (_data, app) => toast.success(`Revoked ${app.client_name}`),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => client.invalidateQueries({ queryKey: ["connected-apps"] }),
  });
}

/** The workspace's settings (owners and admins). */
export function useWorkspaceSettings() {
  return useQuery({ queryKey: queryKeys.workspaceSettings, queryFn: () => api("GET /api/v1/settings", {}) });
}

export function useUpdateWorkspaceSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: ApiInput<"PATCH /api/v1/settings">["body"]) => api("PATCH /api/v1/settings", { body: patch }),
    onSuccess: (settings) => {
      client.setQueryData(queryKeys.workspaceSettings, settings);
      toast.success("Settings saved");
    },
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.workspaceSettings }),
  });
}

export function useProviderTools(id: string) {
  return useQuery({ queryKey: queryKeys.providers.tools(id), queryFn: () => api("GET /api/v1/mcp-providers/{id}/tools", { params: { id } }) });
}

export function useRefreshTools(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api("POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id } }),
    onSuccess: (tools) => toast.success(`Found ${tools.data.length} ${tools.data.length === 1 ? "tool" : "tools"}`),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.providers.all }),
  });
}

/** Whether the caller's calls to an OAuth provider have a connection (only for providers that use OAuth). */
export function useConnection(id: string) {
  return useQuery({ queryKey: queryKeys.providers.connection(id), queryFn: () => api("GET /api/v1/mcp-providers/{id}/connection", { params: { id } }) });
}

/** Who is connected (owners and admins). */
export function useConnections(id: string) {
  return useQuery({ queryKey: queryKeys.providers.connections(id), queryFn: () => api("GET /api/v1/mcp-providers/{id}/connections", { params: { id } }) });
}

/** Starts a connection: the browser goes to the server's authorization server and comes back to the provider's page. */
export function useStartConnection(id: string) {
  return useMutation({
    mutationFn: () => api("POST /api/v1/mcp-providers/{id}/connection", { params: { id } }),
    onSuccess: ({ authorization_url }) => { window.location.assign(authorization_url); },
    onError: (error) => toast.error(errorMessage(error)),
  });
}

export function useDisconnect(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId?: string) => api("DELETE /api/v1/mcp-providers/{id}/connection", { params: { id }, query: userId ? { user_id: userId } : {} }),
    onSuccess: () => toast.success("Disconnected"),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.providers.all }),
  });
}

export function useCallTool(id: string) {
  return useMutation({
    mutationFn: ({ tool, args }: { tool: string; args: Record<string, unknown> }) =>
      api("POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id, tool }, body: { arguments: args } }),
  });
}

/** Check as me (or, for admins, as `userId`): nothing is cached, each check asks again. */
export function useIdentityCheck(id: string) {
  return useMutation({
    mutationFn: (userId: string | undefined) => api("POST /api/v1/mcp-providers/{id}/identity-check", { params: { id }, body: userId ? { user_id: userId } : {} }),
  });
}

export const toolPolicyMutationKey = (providerId: string) => ["providers", providerId, "tool-policy"];

/** allow: agents may call it; ask: each call waits for its caller's confirmation; deny: turned off. */
export type ToolRule = "allow" | "ask" | "deny";

export function toolRuleOf(provider: Provider, tool: string): ToolRule {
  if (provider.tool_policy.disabled.includes(tool)) return "deny";
  return provider.tool_policy.ask.includes(tool) ? "ask" : "allow";
}

const RULE_SAVED: Record<ToolRule, (tool: string) => string> = {
  allow: (tool) => `${tool} is available to agents without asking`,
  ask: (tool) => `${tool} now asks its caller before each call`,
  deny: (tool) => `${tool} is turned off for agents`,
};

/**
 * Sets a tool's rule (admins). Merge patch replaces lists, so both lists are sent whole — with
 * If-Match, so lists someone else changed meanwhile are refused, not overwritten.
 */
export function useSetToolRule(provider: Provider) {
  const client = useQueryClient();
  return useMutation({
    mutationKey: toolPolicyMutationKey(provider.id),
    mutationFn: ({ tool, rule }: { tool: string; rule: ToolRule }) => {
      const without = (names: string[]) => names.filter((name) => name !== tool);
      return api("PATCH /api/v1/mcp-providers/{id}", {
        params: { id: provider.id },
        body: {
          tool_policy: {
            disabled: rule === "deny" ? [...without(provider.tool_policy.disabled), tool] : without(provider.tool_policy.disabled),
            ask: rule === "ask" ? [...without(provider.tool_policy.ask), tool] : without(provider.tool_policy.ask),
          },
        },
        headers: { "if-match": etagOf(provider.version) },
      });
    },
    onSuccess: (_provider, { tool, rule }) => toast.success(RULE_SAVED[rule](tool)),
    onError: (error, { tool }) => toast.error(`Couldn't change ${tool}: ${errorMessage(error)}`),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.providers.all }),
  });
}

/** Turns recording of a provider's call arguments or results on or off (admins): merge-patch, one field, so nothing else is touched. */
export function useSetActivityRecording(provider: Provider) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ part, on }: { part: "arguments" | "results"; on: boolean }) =>
      api("PATCH /api/v1/mcp-providers/{id}", { params: { id: provider.id }, body: { activity_recording: { [part]: on } } }),
    onSuccess: (_provider, { part, on }) => toast.success(`The activity log ${on ? "now keeps" : "no longer keeps"} ${provider.name}'s call ${part}`),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.providers.all }),
  });
}

export type ToolCallFilters = { provider?: string; outcome?: string; user?: string };

export function useToolCalls(filters: ToolCallFilters) {
  return useInfiniteQuery({
    queryKey: queryKeys.toolCalls(filters),
    queryFn: ({ pageParam }) =>
      api("GET /api/v1/tool-calls", { query: { limit: TOOL_CALL_PAGE, ...filters, ...(pageParam ? { cursor: pageParam } : {}) } }),
    initialPageParam: "",
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export type StatsView = { range: ChartRange; groupBy: "provider" | "identity"; provider?: string; user?: string };

/** The charts' sums for a range ending now; the page on screen stays while another range or grouping loads. */
export function useToolCallStats(view: StatsView) {
  return useQuery({
    queryKey: queryKeys.toolCallStats(view),
    queryFn: () => {
      const { from, to, bucket } = chartWindow(view.range, new Date());
      return api("GET /api/v1/tool-calls/stats", {
        query: { from: from.toISOString(), to: to.toISOString(), bucket, group_by: view.groupBy, ...(view.provider ? { provider: view.provider } : {}), ...(view.user ? { user: view.user } : {}) },
      });
    },
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

/** Whether a tool-policy change of this provider is being saved (every switch waits for it). */
export function useToolPolicySaving(providerId: string): boolean {
  return useIsMutating({ mutationKey: toolPolicyMutationKey(providerId) }) > 0;
}

export function useMembers() {
  return useQuery({ queryKey: queryKeys.members, queryFn: () => api("GET /api/v1/members", {}) });
}

export function useChangeRole() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ member, role }: { member: Member; role: Member["role"] }) => api("PATCH /api/v1/members/{user_id}", { params: { user_id: member.user_id }, body: { role } }),
    onSuccess: (member) => toast.success(`${member.email} is now ${member.role === "admin" ? "an admin" : `a ${member.role}`}`),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.members }),
  });
}

export function useRemoveMember() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (member: Member) => api("DELETE /api/v1/members/{user_id}", { params: { user_id: member.user_id } }),
    onSuccess: (_data, member) => toast.success(`Removed ${member.email}`),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.members }),
  });
}

export function useInvite() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; role: Member["role"] }) => api("POST /api/v1/invitations", { body: input }),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.members }),
  });
}

export function useRevokeInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (invitation: Invitation) => api("DELETE /api/v1/invitations/{id}", { params: { id: invitation.id } }),
    onSuccess: (_data, invitation) => toast.success(`The invitation for ${invitation.email} no longer works`),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.members }),
  });
}

export function useWorkspaces() {
  return useQuery({ queryKey: queryKeys.workspaces, queryFn: () => api("GET /api/v1/workspaces", {}) });
}

/** Switching starts over on the providers page: nothing read in the old workspace stays on screen. */
export function useSwitchWorkspace() {
  const client = useQueryClient();
  const router = useRouter();
  return useMutation({
    mutationFn: (workspaceId: string) => api("PUT /api/v1/workspaces/current", { body: { workspace_id: workspaceId } }),
    onSuccess: () => {
      client.clear();
      router.push("/settings/providers");
      router.refresh();
    },
    onError: (error) => toast.error(errorMessage(error)),
  });
}

export function useReceivedInvitations() {
  return useQuery({ queryKey: queryKeys.receivedInvitations, queryFn: () => api("GET /api/v1/my-invitations", {}) });
}

/** Accepting joins the workspace and switches the session into it. */
export function useAcceptReceivedInvitation() {
  const switchTo = useSwitchWorkspace();
  return useMutation({
    mutationFn: (invitation: ReceivedInvitation) => api("POST /api/v1/my-invitations/{id}/accept", { params: { id: invitation.id } }),
    onSuccess: (joined, invitation) => {
      toast.success(`You joined ${invitation.workspace.name}`);
      switchTo.mutate(joined.workspace_id);
    },
    onError: (error) => toast.error(errorMessage(error)),
  });
}

export function useDeclineReceivedInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (invitation: ReceivedInvitation) => api("DELETE /api/v1/my-invitations/{id}", { params: { id: invitation.id } }),
    onSuccess: (_data, invitation) => toast.success(`Declined the invitation to ${invitation.workspace.name}`),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.receivedInvitations }),
  });
}

/** The caller's calls waiting for confirmation: asked for often while any wait, so a new one shows within seconds on every page. */
export function useApprovals() {
  return useQuery({
    queryKey: queryKeys.approvals,
    queryFn: () => api("GET /api/v1/approvals", {}),
    refetchInterval: (query) => ((query.state.data?.pending.length ?? 0) > 0 ? 2_000 : 4_000),
  });
}

export function useDecideApproval() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ approval, status }: { approval: Approval; status: "approved" | "declined" }) => api("PATCH /api/v1/approvals/{id}", { params: { id: approval.id }, body: { status } }),
    onSuccess: (_data, { approval, status }) => toast.success(status === "approved" ? `Approved: ${approval.tool} on ${approval.provider.name} runs now` : `Declined: ${approval.tool} on ${approval.provider.name} won't run`),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.approvals }),
  });
}

export function useSendAddressVerification() {
  return useMutation({
    mutationFn: () => api("POST /api/v1/account/email-verification", {}),
    onSuccess: (result) => toast.success(result.sent_to ? `A link is on its way to ${result.sent_to}` : "Your address is already verified"),
    onError: (error) => toast.error(errorMessage(error)),
  });
}

export function useCreateWorkspace() {
  return useMutation({
    mutationFn: (name: string) => api("POST /api/v1/workspaces", { body: { name } }),
  });
}
