"use client";
// The provider's change history (admins): who created it and who changed which settings, when.
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/client/api";
import { useProviderHistory } from "@/lib/client/hooks";
import { relativeTime } from "@/lib/client/time";

export function ProviderHistory({ providerId }: { providerId: string }) {
  const history = useProviderHistory(providerId);
  const events = history.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <section aria-labelledby="history-heading" className="space-y-3">
      <h2 id="history-heading" className="text-lg font-semibold">Change history</h2>
      {history.isPending ? (
        <p role="status" className="text-sm text-muted">Loading changes…</p>
      ) : history.isError ? (
        <div role="alert" className="flex items-center gap-3 text-sm text-red-600 dark:text-red-400">
          Couldn&apos;t load the history: {errorMessage(history.error)}
          <Button size="sm" onClick={() => void history.refetch()}>Retry</Button>
        </div>
      ) : (
        <>
          <ol className="divide-y divide-zinc-200 rounded-xl border border-zinc-200 text-sm dark:divide-zinc-800 dark:border-zinc-800">
            {events.map((event) => (
              <li key={event.id} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 px-4 py-2.5">
                <span>
                  <span className="font-medium">{event.actor.email ?? "A removed user"}</span> {event.action === "created" ? "added the provider" : <>changed {describeFields(event.fields)}</>}
                </span>
                <time dateTime={event.at} title={new Date(event.at).toLocaleString()} className="text-xs text-muted">{relativeTime(event.at)}</time>
              </li>
            ))}
          </ol>
          {history.hasNextPage && (
            <Button size="sm" onClick={() => void history.fetchNextPage()} disabled={history.isFetchingNextPage}>
              {history.isFetchingNextPage ? "Loading…" : "Show older changes"}
            </Button>
          )}
        </>
      )}
    </section>
  );
}

/** "the name and headers.X-Api-Key", with the setting names as the API spells them. */
function describeFields(fields: string[]) {
  if (fields.length === 0) return "nothing";
  return fields.map((field, index) => (
    <span key={field}>
      {index > 0 && (index === fields.length - 1 ? " and " : ", ")}
      <code className="font-mono text-xs">{field}</code>
    </span>
  ));
}
