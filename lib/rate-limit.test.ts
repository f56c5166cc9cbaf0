// The sliding-window estimate, against an in-memory stand-in for the counters table (a unit
// boundary); the database-backed behaviour is in tests/integration/rate-limits.test.ts.
import { describe, expect, it } from "vitest";
import { hit, peek } from "@/lib/rate-limit";

function memoryCounters() {
  const rows = new Map<string, { key: string; count: number; expiresAt: Date }>();
  return {
    rateLimit: {
      upsert: ({ where, create }: { where: { key: string }; create: { key: string; count: number; expiresAt: Date } }) => {
        const row = rows.get(where.key) ?? { ...create, count: 0 };
        row.count++;
        rows.set(where.key, row);
        return Promise.resolve(row);
      },
      update: () => Promise.reject(new Error("not used")),
      findUnique: ({ where }: { where: { key: string } }) => Promise.resolve(rows.get(where.key) ?? null),
      deleteMany: ({ where }: { where: { expiresAt: { lte: Date } } }) => {
        for (const [key, row] of rows) if (row.expiresAt <= where.expiresAt.lte) rows.delete(key);
        return Promise.resolve({ count: 0 });
      },
    },
  } as never;
}

const limit = { name: "test", max: 10, windowSeconds: 300 };
const boundary = Math.ceil(Date.now() / 300_000) * 300_000;

describe("the sliding window", () => {
  it("stays locked across a window boundary: ten attempts just before it still count just after it", async () => {
    const counters = memoryCounters();
    for (let i = 0; i < 10; i++) expect(await hit(limit, "a", boundary - 1000, counters)).toBe(0);
    // Ten of the last 300 seconds' attempts are still in the window: the eleventh waits until a fifth
    // of the old window has slid out (60 s into the new one) — room for it, counted though refused,
    // and for the retry.
    expect(await hit(limit, "a", boundary + 1000, counters)).toBe(59);
    expect(await peek(limit, "a", boundary + 1000, counters)).toBe(59);
  });

  it("lets attempts back in as the previous window slides out", async () => {
    const counters = memoryCounters();
    for (let i = 0; i < 10; i++) await hit(limit, "a", boundary - 1000, counters);
    // Halfway into the next window half of the previous ten still count: five more fit.
    for (let i = 0; i < 5; i++) expect(await hit(limit, "a", boundary + 150_000, counters)).toBe(0);
    expect(await hit(limit, "a", boundary + 150_000, counters)).toBeGreaterThan(0);
  });

  it("counts subjects apart", async () => {
    const counters = memoryCounters();
    for (let i = 0; i < 10; i++) await hit(limit, "a", boundary - 1000, counters);
    expect(await hit(limit, "b", boundary - 1000, counters)).toBe(0);
  });

  // Retry-After is a promise to the client: waiting that long (and making no other attempt) gets it
  // in, and it is not a second longer than it has to be. Checked across limits, windows, earlier
  // attempts, and bursts that go over within this window alone (then the wait reaches into the next).
  it("a client that waits as long as Retry-After says gets in, and not a second sooner", async () => {
    const replay = async (rule: typeof limit, times: number[]) => {
      const counters = memoryCounters();
      const answers = [];
      for (const at of times) answers.push(await hit(rule, "a", at, counters));
      return { counters, answers };
    };
    let checked = 0;
    for (const max of [1, 3, 10]) {
      for (const windowSeconds of [60, 300]) {
        const rule = { name: `test-${max}-${windowSeconds}`, max, windowSeconds };
        const windowMs = windowSeconds * 1000;
        for (const earlier of [0, max, 2 * max]) {
          for (const into of [1000, windowMs / 3, windowMs - 1000]) {
            const now = boundary + into;
            // Earlier attempts halfway through the previous window, then a burst now until one is refused.
            const times = [...Array<number>(earlier).fill(boundary - windowMs / 2), ...Array<number>(earlier + max + 1).fill(now)];
            const { answers } = await replay(rule, times);
            const refused = answers.findIndex((answer, i) => i >= earlier && answer > 0);
            expect(refused, `${JSON.stringify(rule)}, ${earlier} earlier, ${into} ms in`).toBeGreaterThanOrEqual(0);
            const retryAfter = answers[refused];
            const sequence = times.slice(0, refused + 1);
            expect(await peek(rule, "a", now, (await replay(rule, sequence)).counters)).toBe(retryAfter);
            expect(await hit(rule, "a", now + retryAfter * 1000, (await replay(rule, sequence)).counters), `retry after ${retryAfter} s`).toBe(0);
            if (retryAfter > 1) expect(await hit(rule, "a", now + (retryAfter - 1) * 1000, (await replay(rule, sequence)).counters), `retry after ${retryAfter - 1} s`).toBeGreaterThan(0);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(54);
  });

  it("peek: with one attempt allowed and it spent in the previous window, the wait ends where that window's weight has gone", async () => {
    const rule = { name: "test-one", max: 1, windowSeconds: 60 };
    const counters = memoryCounters();
    expect(await hit(rule, "a", boundary - 30_000, counters)).toBe(0);
    // 1 s into this window the previous one's attempt still weighs 59/60: the next fits once it weighs nothing.
    expect(await peek(rule, "a", boundary + 1000, counters)).toBe(59);
    expect(await hit(rule, "a", boundary + 60_000, counters)).toBe(0);
  });
});
