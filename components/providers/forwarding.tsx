"use client";
import { Switch } from "@/components/ui/switch";
import { useToggleForwarding } from "@/lib/client/hooks";
import type { Provider } from "@/lib/providers/schemas";

export const FORWARDING_EXPLANATION =
  "Each tool call carries the signed-in user's identity (a short-lived SSO token for this server); calls fail if that user has no SSO session.";

/** The list's quick toggle: optimistic, rolled back with a toast if the server refuses. */
export function ForwardingToggle({ provider, disabled }: { provider: Provider; disabled?: boolean }) {
  const toggle = useToggleForwarding();
  return (
    <Switch
      checked={provider.identity_mode !== "off"}
      disabled={disabled}
      label={`Identity forwarding for ${provider.name}`}
      onCheckedChange={(on) => { toggle.mutate({ provider, on }); }}
    />
  );
}

export function ForwardingBadge({ provider }: { provider: Provider }) {
  if (!provider.identity_forwarding_active) return null;
  if (provider.identity_mode === "unsupported") {
    return (
      <span title="The stored identity mode is not one this console knows. Calls fail until an admin picks a mode." className="inline-flex items-center gap-1 rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-800 ring-1 ring-amber-600/20 dark:bg-amber-950 dark:text-amber-300">
        Unsupported identity mode
      </span>
    );
  }
  return (
    <span title={FORWARDING_EXPLANATION} className="inline-flex items-center gap-1 rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-700 ring-1 ring-emerald-600/20 dark:bg-emerald-950 dark:text-emerald-300">
      User identity
    </span>
  );
}
