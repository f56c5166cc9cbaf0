// The relay's side of tool policy `ask` (lib/policy/ask.ts) for a 2025-11-25 session whose client
// answers elicitations: the console's question goes to the client on the call's own event stream,
// the client's answer arrives in a POST of its own (maybe on another instance) and meets the
// question through lib/gateway/client-requests.ts; once confirmed, the call goes to the server and
// its answer follows on the same stream. The console's questions carry ids of their own, so their
// answers are never sent to the server, which didn't ask them.
import "server-only";
import type { ClientCapabilities } from "@modelcontextprotocol/server";
import { answerRequest, askClient, clientAnswerOf, type SessionKey } from "@/lib/gateway/client-requests";
import type { Message, RequestId } from "@/lib/gateway/envelope";
import { trackRequest, type RequestKey } from "@/lib/gateway/in-flight";
import { EVENT_STREAM_HEADERS } from "@/lib/gateway/jsonrpc";
import type { RelayRequest } from "@/lib/gateway/relay";
import type { RelaySession } from "@/lib/gateway/session-seal";
import { toolError } from "@/lib/gateway/tool-results";
import { askToolsOf } from "@/lib/providers/record";
import { approvalLabel, askTimeoutMs, decisionOfAnswer, elicitationParams, notConfirmed, type ApprovalDecision, type ApprovalSubject, type AskedCall } from "@/lib/policy/ask";
import { canElicitForm } from "@/lib/policy/confirm";

const ASK_ID_PREFIX = "mcp-console-approval-";

type Request = Extract<Message, { kind: "request" }>;
export type AskingCall = { message: Request; call: AskedCall; subject: ApprovalSubject };

/** The tools/call in `requests` whose tool asks first, if any. */
export function askedCall({ row, caller }: RelayRequest, requests: Request[]): AskingCall | undefined {
  const ask = askToolsOf(row);
  if (ask.size === 0) return undefined;
  const message = requests.find((request) => request.method === "tools/call" && ask.has(String(request.params.name)));
  if (!message) return undefined;
  const raw = message.params.arguments;
  const args = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const tool = String(message.params.name);
  return { message, call: { providerName: row.name, tool, args }, subject: { userId: caller.userId, providerId: row.id, tool, args } };
}

/** Whether an initialize says its client answers form elicitations. */
export function initializeDeclaresElicitation(requests: Request[]): boolean {
  const initialize = requests.find((request) => request.method === "initialize");
  return canElicitForm(initialize?.params.capabilities as ClientCapabilities | undefined);
}

export function isApprovalAskId(id: RequestId): boolean {
  return typeof id === "string" && id.startsWith(ASK_ID_PREFIX);
}

/** Where the console's questions in a relayed session wait for their answers. */
export function askSessionOf(session: RelaySession): string {
  return `relay-ask:${session.upstreamSessionId}`;
}

/** Hands the client's answers to the console's questions to them; returns the POST's other messages. */
export async function takeApprovalAnswers(text: string, session: SessionKey): Promise<unknown[]> {
  const parsed: unknown = JSON.parse(text);
  const values: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  const rest: unknown[] = [];
  for (const value of values) {
    const answer = typeof value === "object" && value !== null ? clientAnswerOf(value as Record<string, unknown>) : undefined;
    if (answer && isApprovalAskId(answer.id)) await answerRequest(session, answer.id, answer.answer);
    else rest.push(value);
  }
  return rest;
}

const encoder = new TextEncoder();
const event = (message: unknown) => encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);

/**
 * Answers the POST with an event stream that first asks the client to confirm the call, then
 * carries the server's answer (`forward` sends the call once confirmed) — or the refusal.
 */
export function askOnStream(
  relay: RelayRequest,
  asking: AskingCall,
  session: RelaySession,
  waitKey: RequestKey,
  forward: (approval: string) => Promise<Response>,
  refused: (decision: Exclude<ApprovalDecision, "approved">) => void,
): Response {
  const left = new AbortController();
  const { signal: clientSignal } = relay.req;
  return new Response(
    new ReadableStream<Uint8Array>({
      async start(controller) {
        const timeout = AbortSignal.timeout(askTimeoutMs());
        let decision: ApprovalDecision;
        try {
          // The client's notifications/cancelled for the call ends the question too.
          const answer = await trackRequest(waitKey, AbortSignal.any([left.signal, clientSignal]), (cancelled) => askClient(
            { userId: relay.caller.userId, sessionId: askSessionOf(session) },
            AbortSignal.any([timeout, cancelled]),
            (id) => { controller.enqueue(event({ jsonrpc: "2.0", id, method: "elicitation/create", params: elicitationParams(asking.call) })); return Promise.resolve(); },
            ASK_ID_PREFIX,
          ));
          decision = "error" in answer ? "cancelled" : decisionOfAnswer(answer.result);
        } catch {
          decision = timeout.aborted ? "timed_out" : "cancelled";
        }
        try {
          if (decision !== "approved") {
            const error = notConfirmed(decision, "elicitation", asking.call);
            refused(decision);
            if (!left.signal.aborted) controller.enqueue(event({ jsonrpc: "2.0", id: asking.message.id, result: toolError(error.detail) }));
            return;
          }
          const answer = await forward(approvalLabel("approved", "elicitation"));
          await pipeAnswer(answer, controller);
        } finally {
          if (!left.signal.aborted) controller.close();
        }
      },
      cancel() {
        left.abort();
      },
    }),
    { status: 200, headers: { "content-type": "text/event-stream", ...EVENT_STREAM_HEADERS } },
  );
}

/** The server's answer onto the stream already open: its events as they come, or its JSON as one event. */
async function pipeAnswer(answer: Response, controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
  if (!answer.body) return;
  if ((answer.headers.get("content-type") ?? "").includes("text/event-stream")) {
    const reader = answer.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      controller.enqueue(value);
    }
  }
  const text = await answer.text();
  if (text.trim()) controller.enqueue(encoder.encode(`event: message\ndata: ${text.replace(/\n/g, "")}\n\n`));
}
