import "server-only";
import { pruneToolCalls } from "@/lib/activity/tool-calls";
import { log } from "@/lib/log";
import { pruneExpiredOAuthRecords } from "@/lib/oauth/adapter";
import { pruneExpiredInvitations } from "@/lib/workspaces/invitations";

const EVERY_MS = 60 * 60_000;

const chores: { what: string; run: () => Promise<unknown> }[] = [
  { what: "the activity log past its retention", run: () => pruneToolCalls() },
  { what: "expired OAuth codes, tokens and sessions", run: () => pruneExpiredOAuthRecords() },
  { what: "expired invitations", run: () => pruneExpiredInvitations() },
];

/** Deletes what has outlived its use now and every hour while the process runs. Every instance
 *  may do this at once: each chore is an idempotent delete. */
export function startHousekeeping() {
  const runAll = () => {
    for (const chore of chores) {
      chore.run().catch((error: unknown) => { log.warn({ err: error }, `couldn't prune ${chore.what}; will try again`); });
    }
  };
  runAll();
  setInterval(runAll, EVERY_MS).unref();
}
