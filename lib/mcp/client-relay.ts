// What a server says to the console during one call, and that belongs to whoever made the call:
// its requests for input (elicitation, sampling, roots) and its log messages. The gateway's
// workspace endpoint passes them to the MCP client whose call it is (lib/gateway/workspace-server.ts);
// the console's own calls (Try it, discovery) have no relay, and the server is told they can't answer.
//
// A warm upstream session is shared by a user's calls, so a message is matched to its call by the
// async context it arrives in: the answer stream of a request is read inside that request's
// context (see callWithRelay), never inside another call's.
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import type { ClientCapabilities } from "@modelcontextprotocol/client";

export type RelayedRequestMethod = "elicitation/create" | "sampling/createMessage" | "roots/list";

export type ClientRelay = {
  /** What the calling client declared it can answer (only the parts a server may ask for). */
  capabilities: ClientCapabilities;
  /** Asks the calling client; resolves with its result, rejects with its error. */
  ask(method: RelayedRequestMethod, params: unknown, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** A log message (`notifications/message`) the server sent during the call. */
  log(params: Record<string, unknown>): void;
  /** The calling client speaks 2026-07-28: an `input_required` result goes back to it untouched. */
  passInputRequired: boolean;
};

const current = new AsyncLocalStorage<ClientRelay>();

/** The relay of the call whose context this is. */
export function currentRelay(): ClientRelay | undefined {
  return current.getStore();
}

export function callWithRelay<T>(relay: ClientRelay | undefined, work: () => Promise<T>): Promise<T> {
  return relay ? current.run(relay, work) : current.exit(work);
}

/** Work that outlives the call it starts in (opening a shared session): no call's relay goes along. */
export function outsideAnyCall<T>(work: () => Promise<T>): Promise<T> {
  return current.exit(work);
}

/** The capabilities a server may use through the gateway: input requests. The rest is the gateway's business. */
export function relayableCapabilities(capabilities: ClientCapabilities | undefined): ClientCapabilities {
  const relayable: ClientCapabilities = {};
  if (capabilities?.elicitation) relayable.elicitation = capabilities.elicitation;
  if (capabilities?.sampling) relayable.sampling = capabilities.sampling;
  if (capabilities?.roots) relayable.roots = {};
  return relayable;
}
