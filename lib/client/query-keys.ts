// Every query key the console uses, from one factory.
export const queryKeys = {
  features: ["features"] as const,
  providers: {
    all: ["providers"] as const,
    /** One page of the list: the search, and the cursor the page starts at ("" for the first). */
    list: (q: string, cursor = "") => ["providers", "list", q, cursor] as const,
    detail: (id: string) => ["providers", "detail", id] as const,
    tools: (id: string) => ["providers", "tools", id] as const,
    connection: (id: string) => ["providers", "connection", id] as const,
    connections: (id: string) => ["providers", "connections", id] as const,
    history: (id: string) => ["providers", "history", id] as const,
  },
  apiTokens: ["api-tokens"] as const,
  members: ["members"] as const,
  workspaceSettings: ["workspace-settings"] as const,
  workspaces: ["workspaces"] as const,
  receivedInvitations: ["received-invitations"] as const,
  approvals: ["approvals"] as const,
  connectedApps: (scope: "mine" | "workspace") => ["connected-apps", scope] as const,
  toolCalls: (filters: { provider?: string; outcome?: string; user?: string }) => ["tool-calls", filters] as const,
  /** The charts' sums: the range by name (its window is taken when fetched), the grouping, the filters. */
  toolCallStats: (view: { range: string; groupBy: string; provider?: string; user?: string }) => ["tool-call-stats", view] as const,
  openapi: ["openapi"] as const,
};

/** How many providers the list screen asks for. */
export const PROVIDER_LIST_LIMIT = 100;

/** How many tool calls the activity screen asks for at a time. */
export const TOOL_CALL_PAGE = 50;
