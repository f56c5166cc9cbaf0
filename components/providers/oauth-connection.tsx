"use client";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { useConnection, useConnections, useDisconnect, useStartConnection } from "@/lib/client/hooks";
import { errorMessage } from "@/lib/client/api";
import { relativeTime } from "@/lib/client/time";
import { oauthAdviceOf } from "@/lib/providers/health-advice";
import type { Provider } from "@/lib/providers/schemas";

/**
 * The provider's OAuth connection (SPEC §9): whether the caller's calls have one, Connect /
 * Reconnect / Disconnect, and for admins who is connected. The authorization server sends the
 * browser back here with `?connection=connected|failed` (a failure's words come signed, as `failure`); `?connect=1` is where a refused call
 * points the user.
 */
export function OAuthConnection({ provider, isAdmin, failure }: { provider: Provider; isAdmin: boolean; failure?: string }) {
  const status = useConnection(provider.id);
  const start = useStartConnection(provider.id);
  const disconnect = useDisconnect(provider.id);
  const params = useSearchParams();
  const router = useRouter();
  const connectButton = useRef<HTMLButtonElement>(null);
  const [outcome] = useState(() => ({ result: params.get("connection"), failure, asked: params.get("connect") === "1" }));
  const shared = provider.authentication?.connection === "shared";
  // A machine grant: the console gets its own tokens; there is nothing for anyone to connect.
  const machine = oauthAdviceOf(provider.authentication?.connection, provider.authentication?.grant_type) === "machine";

  useEffect(() => {
    // Show the outcome once; a reload shouldn't repeat it.
    if (outcome.result || outcome.asked) router.replace(`/settings/providers/${provider.id}`, { scroll: false });
    if (outcome.asked) connectButton.current?.focus();
  }, [outcome, provider.id, router]);

  const s = status.data;
  return (
    <section aria-labelledby="connection-heading" className="space-y-3 rounded-xl border border-zinc-200 p-4 dark:border-zinc-800">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="connection-heading" className="text-lg font-semibold">{shared ? "Workspace connection" : "Your connection"}</h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            {machine
              ? `${provider.name} signs in with OAuth. The console gets its own tokens (${provider.authentication?.grant_type === "jwt_bearer" ? "workload identity" : "client credentials"}); nobody connects.`
              : shared
              ? `${provider.name} signs in with OAuth. One account, connected by an admin, is used for everyone's calls.`
              : `${provider.name} signs in with OAuth. Each user connects their own account; your calls run as you.`}
          </p>
        </div>
        {s?.can_connect && !machine && (
          <div className="flex gap-2">
            {s.connected && (
              <Button onClick={() => { disconnect.mutate(undefined); }} disabled={disconnect.isPending}>
                {disconnect.isPending ? "Disconnecting…" : "Disconnect"}
              </Button>
            )}
            <Button ref={connectButton} variant={s.connected ? "secondary" : "primary"} onClick={() => { start.mutate(); }} disabled={start.isPending}>
              {start.isPending ? "Opening sign-in…" : s.connected ? "Reconnect" : `Connect ${provider.name}`}
            </Button>
          </div>
        )}
      </div>

      {outcome.result === "connected" && <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">Connected. Calls to {provider.name} now carry {shared ? "the workspace's" : "your"} account.</p>}
      {outcome.failure && <p role="alert" className="text-sm text-red-700 dark:text-red-300">Not connected: {outcome.failure}</p>}

      {status.isPending ? (
        <p role="status" className="text-sm text-muted">Checking the connection…</p>
      ) : status.isError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">{errorMessage(status.error)}</p>
      ) : machine ? (
        <p className="text-sm">
          {s?.connected && s.connected_at ? `Last token ${relativeTime(s.connected_at)}; ` : "No token yet; "}
          the next call gets {s?.connected ? "a new one when it expires" : "one"}. If {provider.name} refuses it, an admin checks the client under Edit → Authentication.
        </p>
      ) : s?.connected ? (
        <p className="text-sm">
          <span className="font-medium text-emerald-700 dark:text-emerald-400">Connected</span>
          {s.connected_by ? ` by ${s.connected_by.email}` : ""}
          {s.connected_at ? ` ${relativeTime(s.connected_at)}` : ""}. The token renews on its own; you only reconnect if {provider.name} ends the grant.
        </p>
      ) : (
        <p className="text-sm">
          <span className="font-medium text-amber-700 dark:text-amber-400">{s?.ended ? "Needs reconnecting." : "Not connected."}</span>{" "}
          {s?.ended && (
            <>
              The connection {s.ended.by ? `${s.ended.by.email} made` : "an admin made"} ended {relativeTime(s.ended.at)}:{" "}
              {s.ended.reason === "admin_removed" ? "they were removed from the workspace" : "they are no longer an admin"}.{" "}
            </>
          )}
          {s?.can_connect ? `Calls to ${provider.name} are refused until you connect.` : "Calls are refused until an owner or admin connects it; ask one."}
        </p>
      )}

      {isAdmin && !shared && <WhoIsConnected provider={provider} onDisconnect={(userId) => { disconnect.mutate(userId); }} />}
    </section>
  );
}

/** Each user's connection, for admins of a provider where users connect their own accounts. */
function WhoIsConnected({ provider, onDisconnect }: { provider: Provider; onDisconnect: (userId?: string) => void }) {
  const connections = useConnections(provider.id);
  if (connections.isPending || connections.isError) return null;
  const list = connections.data.data;
  if (list.length === 0) return <p className="text-sm text-muted">Nobody has connected yet.</p>;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">{list.length === 1 ? "1 user is connected" : `${list.length} users are connected`}</summary>
      <ul className="mt-2 divide-y divide-zinc-200 dark:divide-zinc-800">
        {list.map((entry) => (
          <li key={entry.user?.id ?? "workspace"} className="flex items-center justify-between gap-3 py-1.5">
            <span>
              {entry.user?.email ?? "Workspace"} <span className="text-muted">· connected {relativeTime(entry.connected_at)}</span>
            </span>
            <Button size="sm" onClick={() => { onDisconnect(entry.user?.id); }} aria-label={`Disconnect ${entry.user?.email ?? "the workspace"}`}>
              Disconnect
            </Button>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** In a refused call's error: the way to connect, right there. */
export function ConnectFromError({ provider }: { provider: Provider }) {
  const start = useStartConnection(provider.id);
  return (
    <Button size="sm" className="mt-2" onClick={() => { start.mutate(); }} disabled={start.isPending}>
      {start.isPending ? "Opening sign-in…" : `Connect ${provider.name}`}
    </Button>
  );
}
