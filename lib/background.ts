// Work that runs after the response is on its way (discovery after a create, say). Within a
// request, Next's `after()` keeps the request alive until it ends; anywhere else (scripts, tests)
// it simply runs. Tasks are tracked so tests can wait for them.
import "server-only";
import { after } from "next/server";
import { log } from "@/lib/log";
import { processWide } from "@/lib/process-wide";

const pending = processWide("background-tasks", () => new Set<Promise<unknown>>());

export function runAfterResponse(name: string, task: () => Promise<unknown>) {
  const run: Promise<unknown> = Promise.resolve()
    .then(task)
    .catch((error: unknown) => { log.warn({ task: name, reason: (error as Error | undefined)?.message }, "background task failed"); })
    .finally(() => pending.delete(run));
  pending.add(run);
  try {
    after(run);
  } catch {
    // Not inside a request: nothing to keep alive.
  }
}

/** Resolves when every background task started so far (and any they started) has ended. */
export async function backgroundTasksSettled() {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
