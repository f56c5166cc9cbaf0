// Fixed-window rate limits kept in the database, so every console instance counts together.
import "server-only";
import { ApiError } from "@/lib/api/errors";
import { db, prismaErrorCode, type Db } from "@/lib/db";

export type Limit = { name: string; max: number; windowSeconds: number };

export const LIMITS = {
  // Generous per address (an office behind one NAT), strict per account (password guessing).
  signInPerAddress: { name: "sign-in:address", max: 50, windowSeconds: 300 },
  signInPerAccount: { name: "sign-in:account", max: 10, windowSeconds: 300 },
  apiTokenPerUser: { name: "api-token:user", max: 20, windowSeconds: 3600 },
  apiTokenPerAddress: { name: "api-token:address", max: 60, windowSeconds: 3600 },
  identityTokenPerUser: { name: "identity-token:user", max: 120, windowSeconds: 60 },
  identityTokenPerAddress: { name: "identity-token:address", max: 1200, windowSeconds: 60 },
} satisfies Record<string, Limit>;

/** The client's address: the last X-Forwarded-For hop (added by Next or the proxy in front of it). */
export function clientAddress(req: Request): string {
  const hops = (req.headers.get("x-forwarded-for") ?? "").split(",").map((hop) => hop.trim()).filter(Boolean);
  return hops.at(-1) ?? req.headers.get("x-real-ip") ?? "unknown";
}

/** Counts one attempt; returns the seconds to wait when over the limit, else 0. */
export async function hit(limit: Limit, subject: string, now = Date.now(), client: Pick<Db, "rateLimit"> = db()): Promise<number> {
  const windowMs = limit.windowSeconds * 1000;
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const key = `${limit.name}:${subject.toLowerCase()}:${windowStart}`;
  const expiresAt = new Date(windowStart + windowMs);
  let count: number;
  try {
    ({ count } = await client.rateLimit.upsert({ where: { key }, create: { key, count: 1, expiresAt }, update: { count: { increment: 1 } } }));
  } catch (error) {
    // Two instances created the same window at once: the row exists now, so count on it.
    if (prismaErrorCode(error) !== "P2002") throw error;
    ({ count } = await client.rateLimit.update({ where: { key }, data: { count: { increment: 1 } } }));
  }
  if (Math.random() < 0.01) void client.rateLimit.deleteMany({ where: { expiresAt: { lt: new Date(now) } } }).catch(() => undefined);
  return count > limit.max ? Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000)) : 0;
}

/** Throws a 429 problem with Retry-After when any of the limits is exceeded. */
export async function enforce(checks: [Limit, string][]) {
  for (const [limit, subject] of checks) {
    const retryAfter = await hit(limit, subject);
    if (retryAfter > 0) {
      throw new ApiError("rate_limited", `Too many attempts. Try again in ${retryAfter} seconds.`, { headers: { "retry-after": String(retryAfter) } });
    }
  }
}
