"use client";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/client/api";

/**
 * A list that failed to load. With nothing loaded yet it takes the list's place; when a reload
 * fails with data already on screen, it is a banner above the data, which stays. Either way, Retry.
 */
export function LoadError({ what, error, retry, banner = false }: { what: string; error: unknown; retry: () => void; banner?: boolean }) {
  return (
    <div
      role="alert"
      className={
        banner
          ? "mb-3 flex flex-wrap items-center justify-between gap-3 rounded-lg border border-red-500/30 bg-red-50 px-4 py-2.5 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
          : "flex flex-col items-center gap-3 p-8 text-center text-sm text-red-700 dark:text-red-300"
      }
    >
      <span>
        {banner ? `Couldn't refresh ${what}; this is what was loaded before` : `Couldn't load ${what}`}: {errorMessage(error)}
      </span>
      <Button size="sm" onClick={retry}>Retry</Button>
    </div>
  );
}
