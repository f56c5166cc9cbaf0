import "server-only";
import { pruneToolCalls } from "@/lib/activity/retention";
import { log } from "@/lib/log";
import { pruneExpiredOAuthRecords } from "@/lib/oauth/adapter";
import { pruneExpiredInvitations } from "@/lib/workspaces/invitations";
import { pruneApprovals } from "@/lib/policy/approvals";

const HOURLY_MS = 60 * 60_000;
const MINUTELY_MS = 60_000;

const chores: { what: string; everyMs: number; run: () => Promise<unknown> }[] = [
  { what: "the activity log past its retention", everyMs: HOURLY_MS, run: () => pruneToolCalls() },
  // Anyone may start an authorization (rate-limited): what expires goes within a minute, a bounded batch at a time.
  { what: "expired OAuth codes, tokens, interactions and clients", everyMs: MINUTELY_MS, run: () => pruneExpiredOAuthRecords(new Date(), 2000) },
  { what: "expired invitations", everyMs: HOURLY_MS, run: () => pruneExpiredInvitations() },
  { what: "old tool-call approvals", everyMs: HOURLY_MS, run: () => pruneApprovals() },
];

/** Deletes what has outlived its use now and then at each chore's interval while the process runs.
 *  Every instance may do this at once: each chore is an idempotent delete. */
export function startHousekeeping() {
  for (const chore of chores) {
    const run = () => {
      chore.run().catch((error: unknown) => { log.warn({ err: error }, `couldn't prune ${chore.what}; will try again`); });
    };
    run();
    setInterval(run, chore.everyMs).unref();
  }
}
