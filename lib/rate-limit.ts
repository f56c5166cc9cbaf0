// Rate limits kept in the database, so every console instance counts together: a sliding window
// estimated from two fixed-window counters. Subjects come from outside (emails, addresses), so a
// counter is keyed by a hash of the subject: a row has the same small size whatever was sent.
// Each new counter also deletes the ones no longer needed, so the table holds only live counters.
import "server-only";
import { createHash } from "node:crypto";
import { ApiError } from "@/lib/api/errors";
import { db, prismaErrorCode, type Db } from "@/lib/db";
import { readClientAddress } from "@/lib/edge/client-address.mjs";
import { addressGroup } from "@/lib/edge/ip.mjs";
import { log } from "@/lib/log";
import { countRateLimitRefusal } from "@/lib/observability/metrics";

export type Limit = { name: string; max: number; windowSeconds: number };

export const LIMITS = {
  // Generous per address (an office behind one NAT); strict per account *from one address*
  // (password guessing), so a stranger's guesses lock only the stranger's own address out.
  signInPerAddress: { name: "sign-in:address", max: 50, windowSeconds: 300 },
  signInPerAccountAddress: { name: "sign-in:account-address", max: 10, windowSeconds: 300 },
  // Guessing spread over many addresses: wrong passwords per account, much higher, in two steps
  // of back-off — a quarter of an hour, then a day once they keep coming. They cap the guesses every
  // address but the account's own ones make together; an address the person signed in from in the
  // last 30 days is held only by its per-(account, address) limit above, so a stranger guessing
  // from however many addresses can't lock the person out of the places they sign in from.
  signInFailuresPerAccount: { name: "sign-in-failures:account", max: 100, windowSeconds: 900 },
  signInFailuresPerAccountDaily: { name: "sign-in-failures:account-day", max: 400, windowSeconds: 86_400 },
  /** Only counted (never a limit in itself): the addresses an account signed in from lately. */
  signInSuccessesPerAccountAddress: { name: "sign-in-successes:account-address", max: 0, windowSeconds: 30 * 86_400 },
  apiTokenPerUser: { name: "api-token:user", max: 20, windowSeconds: 3600 },
  apiTokenPerAddress: { name: "api-token:address", max: 60, windowSeconds: 3600 },
  identityTokenPerUser: { name: "identity-token:user", max: 120, windowSeconds: 60 },
  identityTokenPerAddress: { name: "identity-token:address", max: 1200, windowSeconds: 60 },
  // Invitations write rows and make links: plenty for onboarding a team, not for spraying.
  invitationsPerWorkspace: { name: "invitation:workspace", max: 100, windowSeconds: 3600 },
  // …and per person, who may own several workspaces.
  invitationsPerUser: { name: "invitation:user", max: 200, windowSeconds: 3600 },
  // Mailed invitations per recipient, from every workspace together: anyone may own a workspace
  // and invite any address, and the console must not become a way to flood someone's mailbox.
  invitationMailsPerAddress: { name: "invitation-mail:address", max: 5, windowSeconds: 3600 },
  workspacesPerUser: { name: "workspace:user", max: 10, windowSeconds: 3600 },
  // Verification mails go to the person's own address: a few retries, not a mail cannon.
  addressVerificationPerUser: { name: "address-verification:user", max: 5, windowSeconds: 3600 },
  // Dynamic registration of OAuth clients (RFC 7591) is open to anyone: each writes a row.
  clientRegistrationPerAddress: { name: "oauth-registration:address", max: 30, windowSeconds: 3600 },
  // What a user makes the console send to a provider's server on demand: Refresh tools and Test
  // connection each cost a session (initialize + tools/list) upstream; plenty for someone at the screen.
  toolRefreshPerUserProvider: { name: "tool-refresh:user-provider", max: 10, windowSeconds: 60 },
  connectionCheckPerUserProvider: { name: "connection-check:user-provider", max: 10, windowSeconds: 60 },
  // Check as me: may mint at the identity provider (then cached, as for the next call).
  identityCheckPerUserProvider: { name: "identity-check:user-provider", max: 20, windowSeconds: 60 },
  /** Test connection with unsaved settings: no provider yet, so per user. */
  connectionCheckPerUser: { name: "connection-check:user", max: 20, windowSeconds: 60 },
  // Each authorization request keeps an interaction (10 minutes): a person needs a few, an office a few dozen.
  authorizationPerAddress: { name: "oauth-authorization:address", max: 120, windowSeconds: 600 },
  // Codes and refresh tokens exchanged; every MCP client behind one address refreshes hourly at most.
  tokenRequestsPerAddress: { name: "oauth-token:address", max: 600, windowSeconds: 600 },
  // …per IPv6 /48, the allocation one site (or one cheap tunnel account) holds: its 65,536 /64s at
  // the per-address limits would add up to 167 × 120 authorizations and 67 × 30 registrations — the
  // ceilings below, shutting everyone out. A /48 gets a tenth of each ceiling (17 /64s at their
  // authorization limit, 7 at their registration limit: an organisation's worth), so reaching a
  // ceiling takes ten allocations. IPv4 has no such tier: every address costs its holder one, and a
  // hundred scattered ones don't share a /24 to count.
  authorizationPerNetwork: { name: "oauth-authorization:network", max: 2_000, windowSeconds: 600 },
  clientRegistrationPerNetwork: { name: "oauth-registration:network", max: 200, windowSeconds: 3600 },
  // …and from everyone together, so many addresses can't add up to an unbounded number of rows
  // either. Only authorization requests for a known client count here: the rest store nothing.
  authorizationOverall: { name: "oauth-authorization:all", max: 20_000, windowSeconds: 600 },
  clientRegistrationOverall: { name: "oauth-registration:all", max: 2_000, windowSeconds: 3600 },
  // Wrong issuer secrets: a handful per address, counted before any secret is compared.
  issuerSecretFailuresPerAddress: { name: "issuer-secret:address", max: 10, windowSeconds: 300 },
} satisfies Record<string, Limit>;

// Each limit's refusals are a series from the start, so the first refusal shows as an increase.
for (const limit of Object.values(LIMITS)) if (limit.max > 0) countRateLimitRefusal(limit.name, 0);

/** A request turned away for being over `limit` (counted for /metrics): whoever refuses says so here. */
export function noteRefusal(limit: Pick<Limit, "name">) {
  countRateLimitRefusal(limit.name);
}

/** The longest of several waits, 0 when none; a refusal is counted against the limit that holds it longest. */
export function longestWait(waits: [Limit, number][]): number {
  let longest: [Limit, number] | undefined;
  for (const entry of waits) if (entry[1] > (longest?.[1] ?? 0)) longest = entry;
  if (longest) noteRefusal(longest[0]);
  return longest?.[1] ?? 0;
}

let warnedUnknown = false;

/**
 * The client's address as the console's server determined it (see lib/edge/client-address.mjs), as
 * per-address limits count it: an IPv6 address by its /64, which one host usually holds whole.
 */
export function clientAddress(req: { headers: Headers }): string {
  const address = addressGroup(readClientAddress(req.headers));
  if (address === "unknown" && !warnedUnknown && process.env.NODE_ENV === "production") {
    warnedUnknown = true;
    log.warn({}, "requests are not coming through server.mjs: client addresses are unknown, so per-address limits count everyone together");
  }
  return address;
}

function keyOf(limit: Limit, subject: string, windowStart: number): string {
  return createHash("sha256").update(`${limit.name}\0${subject}\0${windowStart}`).digest("base64url");
}

/**
 * A sliding window, estimated from two fixed ones: this window's count plus the previous window's,
 * weighted by how much of it still lies within the last `windowSeconds`. So a lock doesn't lift at
 * a window boundary, and a burst across one counts in full.
 */
function slidingWindow(limit: Limit, subject: string, now: number) {
  const windowMs = limit.windowSeconds * 1000;
  const start = Math.floor(now / windowMs) * windowMs;
  const previousWeight = 1 - (now - start) / windowMs;
  const estimate = (count: number, previous: number) => count + previous * previousWeight;
  return {
    key: keyOf(limit, subject, start),
    previousKey: keyOf(limit, subject, start - windowMs),
    // A window's row is needed until the end of the next one.
    expiresAt: new Date(start + 2 * windowMs),
    estimate,
    /** Whether `count` attempts in this window, after `previous` in the one before, are within the limit. */
    within: (count: number, previous: number) => estimate(count, previous) <= limit.max + FLOAT_SLACK,
    /**
     * Seconds until one more attempt would be within the limit, after `count` in this window and
     * `previous` in the one before (0: now). Every attempt counts, a refused one too, and so does the
     * one made after the wait: a client that waits this long gets in (if it made no other attempt).
     */
    retryAfter(count: number, previous: number): number {
      // A limit that is only counted (max 0) lets nothing in: there is no wait to tell anyone.
      if (limit.max < 1) return Infinity;
      const seconds = (at: number) => (at <= now ? 0 : Math.max(1, Math.ceil((at - now) / 1000)));
      // Later in this window: (count + 1) + previous × (1 − t/window) ≤ max, for the t (ms into it) it takes.
      if (count + 1 <= limit.max) {
        const at = previous === 0 ? 0 : windowMs * (1 - (limit.max - count - 1) / previous);
        if (at < windowMs) return seconds(start + at);
      }
      // In the next one, where this window's attempts are the previous ones: 1 + count × (1 − t/window) ≤ max.
      const into = count + 1 <= limit.max ? 0 : windowMs * (1 - (limit.max - 1) / count);
      return seconds(start + windowMs + into);
    },
  };
}

// An estimate that lands exactly on the limit must not be refused for a rounding error.
const FLOAT_SLACK = 1e-9;

type Client = Pick<Db, "rateLimit">;

async function countOf(client: Client, key: string): Promise<number> {
  return (await client.rateLimit.findUnique({ where: { key }, select: { count: true } }))?.count ?? 0;
}

/** Counts one attempt; returns the seconds to wait when over the limit, else 0. */
export async function hit(limit: Limit, subject: string, now = Date.now(), client: Client = db()): Promise<number> {
  const window = slidingWindow(limit, subject, now);
  const { key, expiresAt } = window;
  let count: number;
  try {
    ({ count } = await client.rateLimit.upsert({ where: { key }, create: { key, count: 1, expiresAt }, update: { count: { increment: 1 } } }));
  } catch (error) {
    // Two instances created the same window at once: the row exists now, so count on it.
    if (prismaErrorCode(error) !== "P2002") throw error;
    ({ count } = await client.rateLimit.update({ where: { key }, data: { count: { increment: 1 } } }));
  }
  if (count === 1) await client.rateLimit.deleteMany({ where: { expiresAt: { lte: new Date(now) } } });
  const previous = await countOf(client, window.previousKey);
  return window.within(count, previous) ? 0 : window.retryAfter(count, previous);
}

/** Forgets what `subject` has used of `limit` (tests that exhaust a limit put it back). */
export async function clearLimit(limit: Limit, subject: string, now = Date.now(), client: Client = db()) {
  const window = slidingWindow(limit, subject, now);
  await client.rateLimit.deleteMany({ where: { key: { in: [window.key, window.previousKey] } } });
}

/** Sets what `subject` has used of `limit` in this window (tests that need a limit at its edge). */
export async function useLimitForTests(limit: Limit, subject: string, count: number, now = Date.now(), client: Client = db()) {
  const { key, expiresAt } = slidingWindow(limit, subject, now);
  await client.rateLimit.upsert({ where: { key }, create: { key, count, expiresAt }, update: { count } });
}

/** What `subject` has used of `limit` over the last `windowSeconds` (the sliding estimate). */
export async function usage(limit: Limit, subject: string, now = Date.now(), client: Client = db()): Promise<number> {
  const window = slidingWindow(limit, subject, now);
  const [count, previous] = await Promise.all([countOf(client, window.key), countOf(client, window.previousKey)]);
  return window.estimate(count, previous);
}

/** The seconds to wait if `subject` is already at the limit, without counting an attempt. */
export async function peek(limit: Limit, subject: string, now = Date.now(), client: Client = db()): Promise<number> {
  const window = slidingWindow(limit, subject, now);
  const [count, previous] = await Promise.all([countOf(client, window.key), countOf(client, window.previousKey)]);
  // One more attempt would go over: that is what "at the limit" means to a caller about to try.
  return window.retryAfter(count, previous);
}

export function rateLimited(retryAfter: number, what = "attempts") {
  return new ApiError("rate_limited", `Too many ${what}. Try again in ${retryAfter} seconds.`, { headers: { "retry-after": String(retryAfter) } });
}

/** Throws a 429 problem with Retry-After when any of the limits is exceeded. */
export async function enforce(checks: [Limit, string][], what?: string) {
  for (const [limit, subject] of checks) {
    const retryAfter = await hit(limit, subject);
    if (retryAfter > 0) {
      noteRefusal(limit);
      throw rateLimited(retryAfter, what);
    }
  }
}
