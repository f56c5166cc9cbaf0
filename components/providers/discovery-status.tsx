// A provider's connection, as its last discovery left it, in words with a next step.
import type { Provider } from "@/lib/providers/schemas";

const FAILURES: Record<NonNullable<Provider["discovery"]["failure"]>, string> = {
  unauthorized: "Credentials refused",
  identity: "Needs your sign-in",
  unreachable: "Unreachable",
  blocked: "Blocked by network policy",
  timeout: "Timed out",
  protocol: "Not an MCP server",
};

export function discoveryLabel(provider: Provider): string {
  const { status, failure } = provider.discovery;
  if (status === "pending") return "Checking…";
  if (status === "failed") return failure ? FAILURES[failure] : "Check failed";
  if (!provider.tools_fetched_at) return "Not checked";
  if (!provider.authed) return FAILURES.unauthorized;
  return `${provider.tools_count} ${provider.tools_count === 1 ? "tool" : "tools"}`;
}

export function DiscoveryStatus({ provider }: { provider: Provider }) {
  const { status, message } = provider.discovery;
  const failed = status === "failed" || (provider.tools_fetched_at !== null && !provider.authed);
  return (
    <span title={message ?? undefined} role={status === "pending" ? "status" : undefined} className={failed ? "text-amber-700 dark:text-amber-400" : status === "pending" ? "text-zinc-500" : ""}>
      {discoveryLabel(provider)}
    </span>
  );
}
