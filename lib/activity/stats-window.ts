// The time side of the activity charts, shared by the stats endpoint and the browser (no zod, no
// database here): the bucket sizes one may ask for, the limits on a range, the automatic choice of
// a bucket, and the ranges the charts offer with the window each one covers.

/** Bucket sizes by name, in seconds. */
export const BUCKETS = {
  "1m": 60,
  "5m": 300,
  "15m": 900,
  "30m": 1800,
  "1h": 3600,
  "3h": 10_800,
  "6h": 21_600,
  "12h": 43_200,
  "1d": 86_400,
  "7d": 604_800,
} as const;
export type BucketName = keyof typeof BUCKETS;
export const BUCKET_NAMES = Object.keys(BUCKETS) as [BucketName, ...BucketName[]];

/** The longest range one answer covers. */
export const MAX_RANGE_DAYS = 400;
/** The most buckets one answer holds (a day's buckets over the longest range fit). */
export const MAX_BUCKETS = 400;
/** An automatic bucket keeps a range within this many: a chart a phone can still draw. */
const AUTO_BUCKETS = 40;

export function bucketCount(rangeSeconds: number, bucket: BucketName): number {
  return Math.max(1, Math.ceil(rangeSeconds / BUCKETS[bucket]));
}

/** The smallest bucket that cuts the range into at most AUTO_BUCKETS. */
export function autoBucket(rangeSeconds: number): BucketName {
  return BUCKET_NAMES.find((name) => bucketCount(rangeSeconds, name) <= AUTO_BUCKETS) ?? "7d";
}

/** The ranges the charts offer, each with the bucket it is drawn in. */
export const CHART_RANGES = {
  "24h": { label: "24 hours", bucket: "1h" },
  "7d": { label: "7 days", bucket: "6h" },
  "30d": { label: "30 days", bucket: "1d" },
} as const satisfies Record<string, { label: string; bucket: BucketName }>;
export type ChartRange = keyof typeof CHART_RANGES;
export const CHART_RANGE_NAMES = Object.keys(CHART_RANGES) as ChartRange[];

const RANGE_BUCKETS: Record<ChartRange, number> = { "24h": 24, "7d": 28, "30d": 30 };

/**
 * The window a chart range covers at `now`: it ends where the bucket that holds `now` ends, on the
 * viewer's local clock (hours, six-hour blocks from midnight, midnights), so bars line up with the
 * times the axis shows; the last bar fills as calls come in.
 */
export function chartWindow(range: ChartRange, now: Date): { from: Date; to: Date; bucket: BucketName } {
  const { bucket } = CHART_RANGES[range];
  const end = new Date(now);
  end.setMinutes(0, 0, 0);
  if (bucket === "1h") end.setHours(end.getHours() + 1);
  else if (bucket === "6h") end.setHours(Math.floor(end.getHours() / 6) * 6 + 6);
  else end.setHours(24);
  return { from: new Date(end.getTime() - RANGE_BUCKETS[range] * BUCKETS[bucket] * 1000), to: end, bucket };
}
