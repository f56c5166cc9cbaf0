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
    // Ten of the last 300 seconds' attempts are still in the window: the eleventh waits (about 30 s,
    // until a tenth of the old window has slid out).
    expect(await hit(limit, "a", boundary + 1000, counters)).toBe(29);
    expect(await peek(limit, "a", boundary + 1000, counters)).toBeGreaterThan(0);
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
});
