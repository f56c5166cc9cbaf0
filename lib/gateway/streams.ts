// The gateway's long-lived GET event streams: the upstream server's own stream for a relayed
// session, or — where there is none — one of the console's. Either way the stream:
// - tells the client `notifications/tools/list_changed` when what it lists changes (the workspace's
//   providers for `/mcp`; only that provider for `/mcp/{id}`), between the server's events, never inside one;
// - ends when the caller's token is revoked or expires (re-checked on every revocation any instance
//   announces, and every RECHECK_MS), and when the credential it was opened with runs out;
// - counts against the caller's MAX_STREAMS_PER_USER on this instance.
import "server-only";
import { ApiError, problemResponse } from "@/lib/api/errors";
import type { Caller } from "@/lib/auth/request-auth";
import { onChange } from "@/lib/change-bus";
import { EVENT_STREAM_HEADERS } from "@/lib/gateway/jsonrpc";
import { gatewayCaller } from "@/lib/oauth/access";
import { countStreamOpened, type GatewayEndpoint } from "@/lib/observability/metrics";
import { processWide } from "@/lib/process-wide";
import { noteRefusal } from "@/lib/rate-limit";

const KEEPALIVE_MS = 25_000;
const RECHECK_MS = 10_000;
// Several changes in a row (a save, then its discovery) make one notification.
const LIST_CHANGED_DEBOUNCE_MS = 500;
export const MAX_STREAMS_PER_USER = 10;
const STREAMS_LIMIT = { name: "gateway-streams:user" };

const openStreams = processWide("gateway-streams", () => new Map<string, number>());

export type StreamOptions = {
  req: { headers: Pick<Headers, "get">; signal: AbortSignal };
  caller: Caller;
  endpoint: GatewayEndpoint;
  /** The caller may still use this endpoint (their token not revoked or expired). */
  stillAllowed: () => Promise<boolean>;
  /** Whether a change to the workspace's providers changed what this stream's client lists. */
  listChanged: () => Promise<boolean | "gone">;
  /** The upstream server's stream, relayed as it comes. */
  upstream?: ReadableStream<Uint8Array>;
  /** When the credential the upstream stream was opened with runs out (ms since the epoch). */
  until?: number;
  headers?: Record<string, string>;
};

const encoder = new TextEncoder();
const LIST_CHANGED = encoder.encode(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/tools/list_changed" })}\n\n`);

function endsAnEvent(chunk: Uint8Array): boolean {
  const n = chunk.length;
  return (n >= 2 && chunk[n - 1] === 0x0a && (chunk[n - 2] === 0x0a || (n >= 4 && chunk[n - 2] === 0x0d && chunk[n - 3] === 0x0a))) || (n >= 2 && chunk[n - 1] === 0x0d && chunk[n - 2] === 0x0d);
}

/** Whether the caller's token still lets them in (not revoked, not expired, still a member). */
export function stillAllowed(req: { headers: Pick<Headers, "get"> }, caller: Caller, serverIdentifier: string | undefined) {
  return async () => {
    try {
      const now = await gatewayCaller(req, serverIdentifier);
      return now.userId === caller.userId && now.workspaceId === caller.workspaceId;
    } catch (error) {
      // Only a refusal ends the stream; a database that can't answer for a moment doesn't.
      if (error instanceof ApiError && (error.code === "unauthenticated" || error.code === "forbidden")) return false;
      return true;
    }
  };
}

/** A slot among the caller's streams, or the 429 that says to close one first. */
export function takeStreamSlot(userId: string): (() => void) | Response {
  const open = openStreams.get(userId) ?? 0;
  if (open >= MAX_STREAMS_PER_USER) {
    noteRefusal(STREAMS_LIMIT);
    return problemResponse(new ApiError("rate_limited", `At most ${MAX_STREAMS_PER_USER} open event streams per user; close one first`, { headers: { "retry-after": "30" } }));
  }
  openStreams.set(userId, open + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (openStreams.get(userId) ?? 1) - 1;
    if (left > 0) openStreams.set(userId, left);
    else openStreams.delete(userId);
  };
}

export function gatewayEventStream(options: StreamOptions, release: () => void): Response {
  const { req, caller, upstream } = options;
  const reader = upstream?.getReader();
  let stop = (): void => undefined;
  // atBoundary: between two of the server's events (or on a stream of the console's own), where a
  // message may go in; owedListChanged: a change came mid-event, to be told after it.
  const state = { stopped: false, atBoundary: true, owedListChanged: false };
  const isStopped = () => state.stopped;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const counted = countStreamOpened(caller.workspaceId, options.endpoint);
      let pending: NodeJS.Timeout | undefined;
      const send = (chunk: Uint8Array) => {
        try {
          controller.enqueue(chunk);
        } catch {
          stop();
        }
      };
      const sendListChanged = () => {
        if (state.atBoundary) send(LIST_CHANGED);
        else state.owedListChanged = true;
      };
      const checkList = () => {
        clearTimeout(pending);
        pending = setTimeout(() => {
          void options.listChanged().then((changed) => {
            if (changed === "gone") stop();
            else if (changed) sendListChanged();
          }, () => undefined);
        }, LIST_CHANGED_DEBOUNCE_MS);
      };
      const recheck = () => {
        void options.stillAllowed().then((allowed) => { if (!allowed) stop(); }, () => undefined);
      };
      const unsubscribe = [
        onChange("providers", (workspaceId) => { if (workspaceId === caller.workspaceId) checkList(); }, checkList),
        onChange("token", recheck, recheck),
        onChange("user", (userId) => { if (userId === caller.userId) recheck(); }, recheck),
      ];
      const rechecking = setInterval(recheck, RECHECK_MS);
      const keepAlive = setInterval(() => { if (state.atBoundary) send(encoder.encode(": keep-alive\n\n")); }, KEEPALIVE_MS);
      // A credential good for longer than a timer can wait (about 24 days) is as good as unlimited here.
      const left = options.until === undefined ? Infinity : options.until - Date.now();
      const expiry = left < 2 ** 31 - 1 ? setTimeout(() => { stop(); }, Math.max(0, left)) : undefined;
      stop = () => {
        if (state.stopped) return;
        state.stopped = true;
        unsubscribe.forEach((off) => { off(); });
        clearInterval(rechecking);
        clearInterval(keepAlive);
        clearTimeout(pending);
        clearTimeout(expiry);
        release();
        counted();
        void reader?.cancel().catch(() => undefined);
        try {
          controller.close();
        } catch {
          // already closed or cancelled
        }
      };
      if (!reader) send(encoder.encode(": listening for changes\n\n"));
    },
    // The server's events are read only as fast as the client takes them: a client that stops
    // reading holds the server's stream back, not the console's memory.
    async pull(controller) {
      if (!reader || state.stopped) return;
      try {
        const { done, value } = await reader.read();
        // (stop() may have run while the read waited.)
        if (done || isStopped()) {
          stop();
          return;
        }
        controller.enqueue(value);
        state.atBoundary = endsAnEvent(value);
        if (state.atBoundary && state.owedListChanged) {
          state.owedListChanged = false;
          controller.enqueue(LIST_CHANGED);
        }
      } catch {
        // the server's stream broke: so does the client's, which reconnects
        stop();
      }
    },
    cancel() {
      stop();
    },
  });
  req.signal.addEventListener("abort", () => { stop(); }, { once: true });
  if (req.signal.aborted) stop();
  return new Response(stream, {
    status: 200,
    headers: { ...options.headers, "content-type": "text/event-stream", ...EVENT_STREAM_HEADERS },
  });
}
