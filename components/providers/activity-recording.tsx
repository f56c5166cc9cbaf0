"use client";
import { Switch } from "@/components/ui/switch";
import { useSetActivityRecording } from "@/lib/client/hooks";
import type { Provider } from "@/lib/providers/schemas";

const PARTS = [
  { part: "arguments", label: "Call arguments" },
  { part: "results", label: "Call results" },
] as const;

/** What the activity log keeps of this provider's calls besides who, what and how it ended (admins). */
export function ActivityRecording({ provider }: { provider: Provider }) {
  const set = useSetActivityRecording(provider);
  return (
    <section aria-labelledby="recording-heading" className="space-y-2 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
      <h2 id="recording-heading" className="text-lg font-semibold">Activity recording</h2>
      <p className="text-sm text-muted">
        The activity log always says who called which tool and how it ended. It keeps what was sent and answered only if you turn that on; secrets are redacted and each is cut at 8 KiB.
      </p>
      <ul className="space-y-2">
        {PARTS.map(({ part, label }) => (
          <li key={part} className="flex items-center justify-between gap-4 text-sm">
            <span>{label}</span>
            <Switch checked={provider.activity_recording[part]} disabled={set.isPending} onCheckedChange={(on) => { set.mutate({ part, on }); }} label={`Record ${part} of ${provider.name}'s calls`} />
          </li>
        ))}
      </ul>
    </section>
  );
}
