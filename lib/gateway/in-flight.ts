// Requests the gateway is working on, so a client's `notifications/cancelled` can stop one. No
// instance holds a client's session — `/mcp` makes an MCP server per POST, `/mcp/{id}` relays each
// POST on its own — so a cancellation arrives in a different POST, maybe on another instance, from
// the request it cancels: the two meet here, keyed by the caller, their session and the request id,
// so one client can never cancel another's work. A cancellation is announced on the change bus (lib/change-bus.ts), so on
// PostgreSQL the instance working on the request hears it wherever the cancellation landed.
import "server-only";
import { announce, onChange } from "@/lib/change-bus";
import { processWide } from "@/lib/process-wide";

// A NOTIFY payload is at most 8000 bytes; a key longer than this is cancelled on this instance only.
const MAX_ANNOUNCED_KEY = 1000;

type Cancellable = { abort(reason: unknown): void };

const inFlight = processWide("gateway-in-flight", () => {
  const requests = new Map<string, Cancellable>();
  onChange(
    "cancel",
    (key) => requests.get(key)?.abort("cancelled by the client"),
    () => undefined, // a cancellation missed while not listening: the call runs to its end
  );
  return requests;
});

export type RequestKey = { userId: string; sessionId: string | undefined; requestId: string | number };

function keyOf(key: RequestKey): string {
  return JSON.stringify([key.userId, key.sessionId ?? "", key.requestId]);
}

/**
 * Runs `work` with a signal that aborts when the request is cancelled (by notification) or when
 * `linked` aborts (the HTTP request went away, the server closed).
 */
export async function trackRequest<T>(key: RequestKey, linked: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const abort = () => { controller.abort(linked.reason); };
  if (linked.aborted) abort();
  else linked.addEventListener("abort", abort, { once: true });
  const untrack = onCancelled(key, (reason) => { controller.abort(reason); });
  try {
    return await work(controller.signal);
  } finally {
    linked.removeEventListener("abort", abort);
    untrack();
  }
}

/**
 * Runs `cancel` when the request is cancelled, until the returned function says it is over: for
 * work that has an abort signal of its own (the relay's call), so needs no second one.
 */
export function onCancelled(key: RequestKey, cancel: (reason: unknown) => void): () => void {
  const id = keyOf(key);
  const entry: Cancellable = { abort: cancel };
  inFlight.set(id, entry);
  return () => {
    if (inFlight.get(id) === entry) inFlight.delete(id);
  };
}

/** Cancels the caller's request wherever it runs: here at once, and on every instance that hears the bus. */
export async function cancelRequest(key: RequestKey, reason?: string): Promise<void> {
  const id = keyOf(key);
  const controller = inFlight.get(id);
  if (controller) {
    controller.abort(reason ?? "cancelled by the client");
    return;
  }
  if (id.length <= MAX_ANNOUNCED_KEY) await announce("cancel", id);
}

export function inFlightCountForTests(): number {
  return inFlight.size;
}
