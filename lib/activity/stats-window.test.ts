import { describe, expect, it } from "vitest";
import { autoBucket, bucketCount, BUCKETS, chartWindow, MAX_BUCKETS, MAX_RANGE_DAYS } from "@/lib/activity/stats-window";

const HOUR = 3_600_000;

describe("the charts' time windows", () => {
  const now = new Date(2026, 11, 3, 14, 37, 12, 345); // local time

  it("ends a day's window where the current hour ends, 24 hourly buckets back", () => {
    const { from, to, bucket } = chartWindow("24h", now);
    expect(bucket).toBe("1h");
    expect(to.getTime() - now.getTime()).toBeGreaterThan(0);
    expect(to.getTime() - now.getTime()).toBeLessThanOrEqual(HOUR);
    expect([to.getMinutes(), to.getSeconds(), to.getMilliseconds()]).toEqual([0, 0, 0]);
    expect(to.getTime() - from.getTime()).toBe(24 * HOUR);
  });

  it("ends a week's window on the next six-hour mark of the viewer's day, and a month's at the next midnight", () => {
    const week = chartWindow("7d", now);
    expect([week.to.getHours(), week.to.getMinutes(), week.bucket]).toEqual([18, 0, "6h"]);
    expect(week.to.getTime() - week.from.getTime()).toBe(28 * 6 * HOUR);
    const month = chartWindow("30d", now);
    expect([month.to.getDate(), month.to.getHours(), month.bucket]).toEqual([4, 0, "1d"]);
    expect(bucketCount((month.to.getTime() - month.from.getTime()) / 1000, month.bucket)).toBe(30);
  });

  it("chooses the smallest bucket that keeps a range within 40, and fits the longest range in the most buckets", () => {
    expect(autoBucket(3600)).toBe("5m");
    expect(autoBucket(24 * 3600)).toBe("1h");
    expect(autoBucket(7 * 24 * 3600)).toBe("6h");
    expect(autoBucket(30 * 24 * 3600)).toBe("1d");
    expect(autoBucket(MAX_RANGE_DAYS * 24 * 3600)).toBe("7d");
    expect(bucketCount(MAX_RANGE_DAYS * 24 * 3600, "1d")).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(BUCKETS["1d"]).toBe(86_400);
  });
});
