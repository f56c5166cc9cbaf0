// Rate limits: 429 problem+json with Retry-After, counted in the database so that several
// console instances (separate database clients) share one count; counters that stay small
// whatever was sent, and that are cleaned up.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { describe, expect, it, vi } from "vitest";
import { PrismaClient as PostgresClient } from "@/generated/postgres/client";
import { PrismaClient as SqliteClient } from "@/generated/sqlite/client";
import { authOptions } from "@/lib/auth/options";
import { hashPassword } from "@/lib/crypto";
import { db, isPostgres, type Db } from "@/lib/db";
import { env } from "@/lib/env";
import { hit, LIMITS, useLimitForTests } from "@/lib/rate-limit";
import { postgresConfig, sqliteFilePath } from "@/prisma/database-url.mjs";
import { call, createActor, fromAddress } from "./helpers";

/** Another console instance: its own database client on the same database. */
function secondInstance(): Db {
  const url = env().DATABASE_URL;
  return isPostgres()
    ? (new PostgresClient({ adapter: new PrismaPg(postgresConfig(url)) }) as unknown as Db) // the one API both clients share (lib/db.ts)
    : new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${sqliteFilePath(url)}` }) });
}

let addresses = 0;
const freshAddress = () => `10.${50 + Math.floor(Math.random() * 100)}.${Math.floor(addresses / 250) % 250}.${addresses++ % 250}`;

/** The seconds a refused sign-in says to wait ("RateLimited:<seconds>"). */
async function refusalWait(attempt: Promise<unknown>): Promise<number> {
  const message = await attempt.then(() => "", (error: unknown) => (error instanceof Error ? error.message : ""));
  expect(message).toMatch(/^RateLimited:\d+$/);
  return Number(message.split(":")[1]);
}

/** next-auth's Credentials `authorize` step, called as next-auth calls it. */
function authorize(credentials: Record<string, unknown>, address = freshAddress()) {
  const provider = authOptions().providers.find((p) => p.id === "credentials") as unknown as {
    options: { authorize: (credentials: Record<string, unknown>, req: { headers: Record<string, string> }) => Promise<{ id: string } | null> };
  };
  return provider.options.authorize(credentials, { headers: fromAddress(address) });
}

async function localUser(password: string) {
  const actor = await createActor("member");
  await db().user.update({ where: { id: actor.userId }, data: { passwordHash: await hashPassword(password) } });
  return actor;
}

describe("rate limits", () => {
  it("creating API tokens: the 21st within the hour is refused with 429 and Retry-After", async () => {
    const admin = await createActor("admin");
    for (let i = 0; i < LIMITS.apiTokenPerUser.max; i++) {
      expect((await call(admin, "POST /api/v1/api-tokens", { body: { name: `t${i}` }, address: freshAddress() })).status).toBe(201);
    }
    const refused = await call(admin, "POST /api/v1/api-tokens", { body: { name: "one too many" }, address: freshAddress() });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.json.code).toBe("rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // At most the rest of this hour and 343 s of the next, until this hour's 21 attempts weigh 19 (and the retry is the 20th).
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(3600 + 343);
    expect(await db().apiToken.count({ where: { userId: admin.userId, name: "one too many" } })).toBe(0);
  });

  it("sign-in: ten wrong passwords from one address lock that address out of the account, not the person who knows the password elsewhere", async () => {
    const user = await localUser("the-right-password");
    const stranger = freshAddress();
    for (let i = 0; i < LIMITS.signInPerAccountAddress.max; i++) expect(await authorize({ email: user.email, password: `guess-${i}` }, stranger)).toBeNull();
    await expect(authorize({ email: user.email, password: "the-right-password" }, stranger)).rejects.toThrow(/^RateLimited:\d+$/);
    expect(await authorize({ email: user.email, password: "the-right-password" }, freshAddress())).toMatchObject({ id: user.userId });
  });

  it("sign-in: wrong passwords from many addresses are capped together, for longer as they go on, but never lock the person out of where they sign in from", async () => {
    // At midday: near midnight UTC the day's window and the quarter of an hour's end together, and
    // the day's hold is then no longer than the quarter's (a run at 23:53 was told 392 s for both).
    vi.useFakeTimers({ toFake: ["Date"], now: new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00.000Z`) });
    try {
      const user = await localUser("the-right-password");
      const home = freshAddress();
      expect(await authorize({ email: user.email, password: "the-right-password" }, home)).toMatchObject({ id: user.userId });
      // A stranger guesses from many addresses until the account's limit is reached.
      for (let i = 0; i < 3; i++) expect(await authorize({ email: user.email, password: `guess-${i}` }, freshAddress())).toBeNull();
      await useLimitForTests(LIMITS.signInFailuresPerAccount, user.email, LIMITS.signInFailuresPerAccount.max);
      // Every address the person hasn't signed in from is held now — a new one gets no guess — until
      // the quarter of an hour ends (900 s from midday) and 1% of the next one has passed (9 s), when
      // its hundred guesses weigh 99 and one more fits.
      expect(await refusalWait(authorize({ email: user.email, password: "another-guess" }, freshAddress()))).toBe(909);
      // The person still signs in from home, a typo first included.
      expect(await authorize({ email: user.email, password: "typo" }, home)).toBeNull();
      expect(await authorize({ email: user.email, password: "the-right-password" }, home)).toMatchObject({ id: user.userId });
      // The day's count: the hold outlasts the quarter of an hour, and home still works.
      await useLimitForTests(LIMITS.signInFailuresPerAccountDaily, user.email, LIMITS.signInFailuresPerAccountDaily.max);
      expect(await refusalWait(authorize({ email: user.email, password: "the-right-password" }, freshAddress()))).toBeGreaterThan(LIMITS.signInFailuresPerAccount.windowSeconds);
      expect(await authorize({ email: user.email, password: "the-right-password" }, home)).toMatchObject({ id: user.userId });
    } finally {
      vi.useRealTimers();
    }
  });

  it("sign-in: every spelling of the email counts against one account", async () => {
    const user = await localUser("the-right-password");
    const address = freshAddress();
    const spellings = [` ${user.email}`, `${user.email}\t`, user.email.toUpperCase(), `\u00a0${user.email}`, user.email.normalize("NFKD")];
    for (let i = 0; i < LIMITS.signInPerAccountAddress.max; i++) expect(await authorize({ email: spellings[i % spellings.length], password: "wrong" }, address)).toBeNull();
    await expect(authorize({ email: user.email, password: "the-right-password" }, address)).rejects.toThrow(/^RateLimited/);
  });

  it("sign-in: a well-spelled email with surrounding whitespace still signs in (below the limit)", async () => {
    const user = await localUser("the-right-password");
    expect(await authorize({ email: `  ${user.email.toUpperCase()}\t`, password: "the-right-password" })).toMatchObject({ id: user.userId });
  });

  it("sign-in: values that aren't strings are refused without an error", async () => {
    const user = await localUser("the-right-password");
    expect(await authorize({ email: [user.email, user.email], password: "the-right-password" })).toBeNull();
    expect(await authorize({ email: { toString: () => user.email }, password: "the-right-password" })).toBeNull();
  });

  it("sign-in: too many attempts from one address are refused, whatever the account", async () => {
    const address = freshAddress();
    for (let i = 0; i < LIMITS.signInPerAddress.max; i++) await hit(LIMITS.signInPerAddress, address);
    await expect(authorize({ email: `fresh-${Math.random()}@example.test`, password: "x" }, address)).rejects.toThrow(/^RateLimited/);
  });

  it("sign-in: an IPv6 /64 counts as one address", async () => {
    const prefix = `2001:db8:${(addresses++ % 65536).toString(16)}:${Math.floor(Math.random() * 65536).toString(16)}`;
    for (let i = 0; i < LIMITS.signInPerAddress.max; i++) await hit(LIMITS.signInPerAddress, `${prefix}::/64`);
    await expect(authorize({ email: `fresh-${Math.random()}@example.test`, password: "x" }, `${prefix}:1:2:3:4`)).rejects.toThrow(/^RateLimited/);
  });

  it("sign-in: the right password of a user in no workspace is a clear refusal, not a server error", async () => {
    const user = await localUser("the-right-password");
    await db().membership.deleteMany({ where: { userId: user.userId } });
    await expect(authorize({ email: user.email, password: "the-right-password" })).rejects.toThrow(/^NoWorkspace$/);
  });

  it("counters stay the same size whatever the subject: a 200 kB email leaves a short key", async () => {
    const huge = `${"x".repeat(200 * 1024)}@example.test`;
    await authorize({ email: huge, password: "x" });
    const longest = await db().rateLimit.findMany({ select: { key: true } });
    expect(Math.max(...longest.map((row) => row.key.length))).toBeLessThanOrEqual(64);
  });

  it("a new window deletes the counters whose window has ended", async () => {
    const ended = `test-ended-${Math.random()}`;
    await db().rateLimit.create({ data: { key: ended, count: 3, expiresAt: new Date(Date.now() - 60_000) } });
    await hit({ name: "test:prune", max: 5, windowSeconds: 60 }, `new-${Math.random()}`);
    expect(await db().rateLimit.findUnique({ where: { key: ended } })).toBeNull();
  });

  it("counts across console instances sharing the database", async () => {
    const other = secondInstance();
    try {
      const subject = `shared-${Math.random()}`;
      const limit = { name: "test:shared", max: 10, windowSeconds: 60 };
      const now = Date.now();
      // Ten attempts, alternating between this instance and the other one, concurrently.
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => hit(limit, subject, now, i % 2 === 0 ? db() : other)));
      expect(results.every((wait) => wait === 0)).toBe(true);
      expect(await hit(limit, subject, now, other)).toBeGreaterThan(0);
      expect(await hit(limit, subject, now, db())).toBeGreaterThan(0);
    } finally {
      await other.$disconnect();
    }
  });
});
