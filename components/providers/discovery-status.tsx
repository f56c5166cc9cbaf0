// A provider's connection, as its last discovery (or a Test connection) left it: a few words, when,
// and what to do next.
import type { ConnectionCheck, DiscoveryFailure, Provider } from "@/lib/providers/schemas";
import { relativeTime } from "@/lib/client/time";
import { failureAdvice, oauthAdviceOf, type AdviceContext } from "@/lib/providers/health-advice";

const LABELS: Record<DiscoveryFailure, string> = {
  unauthorized: "Credentials refused",
  identity: "Needs your sign-in",
  unreachable: "Unreachable",
  blocked: "Blocked by network policy",
  timeout: "Timed out",
  protocol: "Not an MCP server",
};

// What a network error code says, in words ("Unreachable (DNS)").
const CAUSES: [RegExp, string][] = [
  [/\((ENOTFOUND|EAI_AGAIN)\)/, "DNS"],
  [/\(ECONNREFUSED\)/, "connection refused"],
  [/\(ECONNRESET\)/, "connection reset"],
  [/\((CERT_|UNABLE_TO_VERIFY|DEPTH_ZERO|SELF_SIGNED)[A-Z_]*\)/, "TLS certificate"],
];

export type Health = { tone: "ok" | "failed" | "pending" | "unknown"; label: string; next?: string; detail?: string; at?: string };

function failed(failure: DiscoveryFailure | null, message: string | null, at: string | null | undefined, context: AdviceContext): Health {
  // A machine grant has nobody to sign in: what failed is the console's own token request.
  const label = failure === "identity" && context.oauth === "machine" && !context.forwarding ? "No token for the console" : failure ? LABELS[failure] : "Check failed";
  const next = failure ? failureAdvice(failure, context) : "Try again.";
  const cause = failure === "unreachable" && message ? CAUSES.find(([pattern]) => pattern.test(message))?.[1] : undefined;
  return { tone: "failed", label: cause ? `${label} (${cause})` : label, next, detail: message ?? undefined, at: at ?? undefined };
}

const toolCount = (count: number) => `${count} ${count === 1 ? "tool" : "tools"}`;

/** A provider's health as everyone sees it, with advice for where it is read (the list, or its own page). */
export function providerHealth(provider: Provider, where: "list" | "page" = "list"): Health {
  const { status, failure, message, checked_at } = provider.discovery;
  const context: AdviceContext = { forwarding: provider.identity_mode !== "off", oauth: oauthAdviceOf(provider.authentication?.connection, provider.authentication?.grant_type), where };
  if (status === "pending") return { tone: "pending", label: "Checking…" };
  if (status === "failed") return failed(failure, message, checked_at, context);
  if (!provider.tools_fetched_at) return { tone: "unknown", label: "Not checked", next: where === "page" ? "Use Refresh tools." : "Use Refresh tools on the provider's page." };
  if (!provider.authed) return failed("unauthorized", null, provider.tools_fetched_at, context);
  return { tone: "ok", label: `Connected · ${toolCount(provider.tools_count)}`, at: checked_at ?? provider.tools_fetched_at };
}

/** What a Test connection found, with advice for the settings it tried. */
export function checkHealth(check: ConnectionCheck, context: AdviceContext): Health {
  if (check.ok) return { tone: "ok", label: `Connected · ${toolCount(check.tools_count ?? 0)}`, at: check.checked_at };
  return failed(check.failure, check.message, check.checked_at, context);
}

const TONES: Record<Health["tone"], string> = {
  ok: "text-emerald-700 dark:text-emerald-400",
  failed: "text-amber-800 dark:text-amber-300",
  pending: "text-zinc-600 dark:text-zinc-400",
  unknown: "text-zinc-600 dark:text-zinc-400",
};

/** One line for a list row: the words, and when (the detail and next step on hover and for screen readers). */
export function DiscoveryStatus({ provider }: { provider: Provider }) {
  const health = providerHealth(provider);
  const explanation = [health.detail, health.next].filter(Boolean).join(" ");
  return (
    <span role={health.tone === "pending" ? "status" : undefined} title={explanation || undefined} className="flex flex-col">
      <span className={TONES[health.tone]}>{health.label}</span>
      {health.at && (
        <time dateTime={health.at} className="text-xs text-zinc-600 dark:text-zinc-400">
          checked {relativeTime(health.at)}
        </time>
      )}
      {explanation && <span className="sr-only">{explanation}</span>}
    </span>
  );
}

/** A panel with everything: for the provider's page and the dialog's Test connection. */
export function HealthPanel({ health, title }: { health: Health; title?: string }) {
  const box =
    health.tone === "ok"
      ? "border-emerald-600/30 bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"
      : health.tone === "failed"
        ? "border-amber-500/40 bg-amber-50 text-amber-950 dark:bg-amber-950 dark:text-amber-100"
        : "border-zinc-200 bg-zinc-50 text-zinc-800 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-200";
  return (
    <div role="status" className={`rounded-lg border p-3 text-sm ${box}`}>
      <p className="font-medium">
        {title ? `${title}: ` : ""}
        {health.label}
        {health.at && <span className="font-normal"> · checked {relativeTime(health.at)}</span>}
      </p>
      {health.detail && <p className="mt-1">{health.detail}</p>}
      {health.next && health.tone !== "ok" && <p className="mt-1">{health.next}</p>}
    </div>
  );
}
