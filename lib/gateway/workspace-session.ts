// The workspace endpoint's Mcp-Session-Id (2025-11-25 clients). Each POST is served by a fresh
// MCP server, so what the client declared at initialize — which requests it can answer — would be
// lost after it: the session id carries it, as a few letters after a random part. The random part
// scopes the client's request ids (cancellation) and the requests the gateway asks it; the letters
// are only the client's own claim about itself, so a client that alters them fools nobody but itself.
import "server-only";
import { randomUUID } from "node:crypto";
import type { ClientCapabilities } from "@modelcontextprotocol/server";
import { relayableCapabilities } from "@/lib/mcp/client-relay";

const FLAGS: [letter: string, has: (c: ClientCapabilities) => boolean, give: (c: ClientCapabilities) => void][] = [
  ["f", (c) => Boolean(c.elicitation) && (!c.elicitation?.url || Boolean(c.elicitation.form)), (c) => { c.elicitation = { ...c.elicitation, form: {} }; }],
  ["u", (c) => Boolean(c.elicitation?.url), (c) => { c.elicitation = { ...c.elicitation, url: {} }; }],
  ["s", (c) => Boolean(c.sampling), (c) => { c.sampling = { ...c.sampling }; }],
  ["c", (c) => Boolean(c.sampling?.context), (c) => { c.sampling = { ...c.sampling, context: {} }; }],
  ["t", (c) => Boolean(c.sampling?.tools), (c) => { c.sampling = { ...c.sampling, tools: {} }; }],
  ["r", (c) => Boolean(c.roots), (c) => { c.roots = {}; }],
];

export const MAX_SESSION_ID_LENGTH = 64;

/** A new session for a client that declared `capabilities` at initialize. */
export function newWorkspaceSessionId(capabilities: ClientCapabilities | undefined): string {
  const relayable = relayableCapabilities(capabilities);
  const letters = FLAGS.filter(([, has]) => has(relayable)).map(([letter]) => letter).join("");
  return `${randomUUID()}.${letters}`;
}

/** What the session's client can answer, as it declared at initialize; nothing for an id the gateway didn't make. */
export function capabilitiesOfSession(sessionId: string | undefined): ClientCapabilities {
  const capabilities: ClientCapabilities = {};
  const match = sessionId && sessionId.length <= MAX_SESSION_ID_LENGTH ? /^[0-9a-f-]{36}\.([a-z]*)$/.exec(sessionId) : null;
  if (!match) return capabilities;
  for (const [letter, , give] of FLAGS) if (match[1].includes(letter)) give(capabilities);
  return capabilities;
}
