// Requests the gateway passed from a provider's server to an MCP client (elicitation, sampling,
// roots), waiting for the client's answer. The workspace endpoint is stateless — each POST gets
// its own MCP server — so the answer arrives in a POST of its own, maybe on another instance: the
// two meet here, as cancellations do (lib/gateway/in-flight.ts), keyed by the caller, their MCP
// session and the id the gateway gave the request. That id is random and the key holds the
// caller, so no client can answer another's request. An answer is announced on the change bus
// (lib/change-bus.ts), so on PostgreSQL the instance holding the request hears it wherever it landed.
import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { announce, onChange } from "@/lib/change-bus";
import { MAX_CLIENT_QUESTION_SECONDS } from "@/lib/env";
import { processWide } from "@/lib/process-wide";

// A NOTIFY payload is at most 8000 bytes; a larger answer reaches a request on this instance only.
const MAX_ANNOUNCED = 7900;
/** A client that never answers doesn't hold a request (and an upstream server's) longer than this. */
const MAX_WAIT_MS = MAX_CLIENT_QUESTION_SECONDS * 1000;

const answerSchema = z.union([
  z.object({ result: z.record(z.string(), z.unknown()) }),
  z.object({ error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }) }),
]);
export type ClientAnswer = z.infer<typeof answerSchema>;

const waiting = processWide("gateway-client-requests", () => {
  const requests = new Map<string, (answer: ClientAnswer) => void>();
  onChange(
    "answer",
    (payload) => {
      try {
        const [key, answer] = z.tuple([z.string(), answerSchema]).parse(JSON.parse(payload));
        requests.get(key)?.(answer);
      } catch {
        // not an answer this instance can read: nobody here waits for it
      }
    },
    () => undefined, // an answer missed while not listening: the request waits out its time
  );
  return requests;
});

export type SessionKey = { userId: string; sessionId: string };

function keyOf(session: SessionKey, id: string): string {
  return JSON.stringify([session.userId, session.sessionId, id]);
}

/** The JSON-RPC answer a client sent, if `message` is one (a response carries no method). */
export function clientAnswerOf(message: Record<string, unknown>): { id: string | number; answer: ClientAnswer } | undefined {
  const { id } = message;
  if ("method" in message || (typeof id !== "string" && typeof id !== "number")) return undefined;
  const answer = answerSchema.safeParse(message);
  return answer.success ? { id, answer: answer.data } : undefined;
}

/**
 * Sends a request to the client (`send` writes it, under the id given, on the stream of the call
 * it belongs to) and waits for the client's answer, until `signal` aborts (the call ended, the
 * server withdrew the request) or MAX_WAIT_MS passes.
 */
export async function askClient(session: SessionKey, signal: AbortSignal, send: (id: string) => Promise<void>, idPrefix = "mcp-console-"): Promise<ClientAnswer> {
  const id = `${idPrefix}${randomUUID()}`;
  const key = keyOf(session, id);
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(MAX_WAIT_MS)]);
  let stop = (): void => undefined;
  const answered = new Promise<ClientAnswer>((resolve, reject) => {
    stop = () => { reject(deadline.reason instanceof Error ? deadline.reason : new Error("the request was withdrawn")); };
    if (deadline.aborted) stop();
    deadline.addEventListener("abort", stop, { once: true });
    waiting.set(key, resolve);
  });
  // If sending fails, nobody awaits the answer: its later rejection must not go unhandled.
  answered.catch(() => undefined);
  try {
    await send(id);
    return await answered;
  } finally {
    deadline.removeEventListener("abort", stop);
    waiting.delete(key);
  }
}

/** Hands a client's answer to the request it answers, wherever that waits. */
export async function answerRequest(session: SessionKey, id: string | number, answer: ClientAnswer): Promise<void> {
  if (typeof id !== "string") return; // the gateway's ids are strings: a number answers nothing it asked
  const key = keyOf(session, id);
  const local = waiting.get(key);
  if (local) {
    local(answer);
    return;
  }
  const payload = JSON.stringify([key, answer]);
  if (Buffer.byteLength(payload) <= MAX_ANNOUNCED) await announce("answer", payload);
}

export function waitingCountForTests(): number {
  return waiting.size;
}
