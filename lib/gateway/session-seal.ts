// The relay's Mcp-Session-Id: everything the gateway needs to continue a client's session, sealed
// (AES-GCM under a key of its own, derived from ENCRYPTION_KEY) and handed to the client. Any
// instance opens it, so no instance keeps a session table; nobody can read it (the upstream
// session id stays the console's) or forge one (a changed byte no longer opens).
import "server-only";
import { z } from "zod";
import { sealerFollowing } from "@/lib/crypto";
import { env } from "@/lib/env";

/** The longest session id a server may hand the console: the spec asks only for visible ASCII; real servers use UUIDs. */
export const MAX_UPSTREAM_SESSION_ID = 512;
/** The longest sealed id the gateway opens: more than it ever hands out, less than any header limit. */
export const MAX_SEALED_SESSION_ID = 1200;
const SESSION_LIFETIME_MS = 24 * 60 * 60_000;

const sessionSchema = z.object({
  /** The caller's user and workspace. */
  u: z.string(),
  w: z.string(),
  /**
   * The provider, its version when the session opened, and a hash of how the console reached its
   * server then. The hash decides whether the session goes on (relay.ts, serverHash): an edit that
   * leaves the server and its credentials alone keeps it. The version, like the protocol revision
   * below, only says what the session was opened against (for an operator reading it, or a later
   * rule); neither is checked.
   */
  p: z.string(),
  v: z.number(),
  h: z.string(),
  /** The upstream server's session id ("" when it gave none, or the console answered itself). */
  s: z.string().max(MAX_UPSTREAM_SESSION_ID),
  /** The protocol revision the client asked for at initialize. */
  pv: z.string().max(64),
  /** The client declared it answers form elicitations: a tool that asks first asks it (lib/policy/ask.ts). */
  el: z.boolean().optional(),
  /** Expiry, ms since the epoch. */
  e: z.number(),
});

export type RelaySession = {
  userId: string;
  workspaceId: string;
  providerId: string;
  providerVersion: number;
  serverHash: string;
  upstreamSessionId: string;
  protocolVersion: string;
  /** The client can be asked with a form elicitation. */
  elicitation?: boolean;
  expiresAt: number;
};

const sessionSealer = sealerFollowing(() => env().encryptionKey, "gateway-session");

export function sealSession(session: Omit<RelaySession, "expiresAt">, now = Date.now()): string {
  const sealed: z.infer<typeof sessionSchema> = {
    u: session.userId,
    w: session.workspaceId,
    p: session.providerId,
    v: session.providerVersion,
    h: session.serverHash,
    s: session.upstreamSessionId,
    pv: session.protocolVersion,
    ...(session.elicitation ? { el: true } : {}),
    e: now + SESSION_LIFETIME_MS,
  };
  return sessionSealer().seal(JSON.stringify(sealed));
}

/** The session `id` seals, if it opens and hasn't expired; anything else — too long, tampered, foreign, expired — is undefined. */
export function openSession(id: string, now = Date.now()): RelaySession | undefined {
  if (id.length > MAX_SEALED_SESSION_ID) return undefined;
  let parsed: z.infer<typeof sessionSchema>;
  try {
    parsed = sessionSchema.parse(JSON.parse(sessionSealer().open(id)));
  } catch {
    return undefined;
  }
  if (parsed.e <= now) return undefined;
  return {
    userId: parsed.u,
    workspaceId: parsed.w,
    providerId: parsed.p,
    providerVersion: parsed.v,
    serverHash: parsed.h,
    upstreamSessionId: parsed.s,
    protocolVersion: parsed.pv,
    elicitation: parsed.el === true,
    expiresAt: parsed.e,
  };
}
