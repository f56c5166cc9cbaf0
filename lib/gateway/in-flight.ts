// Requests the gateway is working on, so a client's `notifications/cancelled` can stop one. The
// gateway is stateless — each HTTP POST gets its own MCP server — so a cancellation arrives in a
// different POST (and server) from the request it cancels: the two meet here, keyed by the caller,
// their MCP session and the request id, so one client can never cancel another's work. Per process:
// a cancellation that lands on another instance finds nothing, and the call simply runs to its end.
import "server-only";
import { processWide } from "@/lib/process-wide";

const inFlight = processWide("gateway-in-flight", () => new Map<string, AbortController>());

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
  const id = keyOf(key);
  inFlight.set(id, controller);
  try {
    return await work(controller.signal);
  } finally {
    linked.removeEventListener("abort", abort);
    if (inFlight.get(id) === controller) inFlight.delete(id);
  }
}

/** Cancels the caller's request, if this process is working on it. */
export function cancelRequest(key: RequestKey, reason?: string): boolean {
  const controller = inFlight.get(keyOf(key));
  controller?.abort(reason ?? "cancelled by the client");
  return Boolean(controller);
}

export function inFlightCountForTests(): number {
  return inFlight.size;
}
