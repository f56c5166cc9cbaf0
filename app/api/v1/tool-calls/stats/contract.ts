import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { autoBucket, bucketCount, BUCKET_NAMES, BUCKETS, MAX_BUCKETS, MAX_RANGE_DAYS, type BucketName } from "@/lib/activity/stats-window";
import { MAX_SERIES, STATS_GROUPINGS, toolCallStatsSchema } from "@/lib/activity/stats";
import { listToolCallsQuerySchema } from "../contract";

const DAY_MS = 86_400_000;

type RangeQuery = { from?: string; to?: string; bucket?: BucketName };

/** The range a query asks for, its defaults filled in, or what is wrong with it. */
export function statsRangeOf(query: RangeQuery, now = new Date()): { from: Date; to: Date; bucket: BucketName } | { path: string; message: string } {
  const to = query.to ? new Date(query.to) : new Date(Math.floor(now.getTime() / 1000) * 1000);
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS);
  const seconds = (to.getTime() - from.getTime()) / 1000;
  if (seconds <= 0) return { path: "to", message: "from comes before to" };
  if (seconds > MAX_RANGE_DAYS * 86_400) return { path: "from", message: `A range covers at most ${MAX_RANGE_DAYS} days` };
  const bucket = query.bucket ?? autoBucket(seconds);
  const buckets = bucketCount(seconds, bucket);
  if (buckets > MAX_BUCKETS) return { path: "bucket", message: `A range holds at most ${MAX_BUCKETS} buckets; ${bucket} buckets make ${buckets} of this one: choose larger buckets or a shorter range` };
  return { from, to, bucket };
}

export const toolCallStatsQuerySchema = z
  .strictObject({
    from: z.iso.datetime({ offset: true, error: "from is an ISO 8601 time" }).optional().describe("The range's start; default: 24 hours before `to`"),
    to: z.iso.datetime({ offset: true, error: "to is an ISO 8601 time" }).optional().describe("The range's end (not included); default: now"),
    bucket: z.enum(BUCKET_NAMES, `bucket is one of ${BUCKET_NAMES.join(", ")}`).optional().describe("The bucket size; default: the smallest that cuts the range into at most 40 buckets"),
    group_by: z.enum(STATS_GROUPINGS, "group_by is provider or identity").default("provider").describe("One series per provider, or per identity mode the calls carried"),
    provider: listToolCallsQuerySchema.shape.provider,
    user: listToolCallsQuerySchema.shape.user,
  })
  .superRefine((query, context) => {
    const range = statsRangeOf(query);
    if ("message" in range) context.addIssue({ code: "custom", message: range.message, path: [range.path] });
  });

export const toolCallStatsContract = defineContract({
  method: "GET",
  path: "/api/v1/tool-calls/stats",
  operationId: "toolCallStats",
  tag: "Activity",
  summary: "Calls, errors and latency over time",
  description:
    "The activity log summed up per time bucket and per series — a provider, or the identity mode the calls carried: calls, errors (tool errors among them), median and 95th-percentile duration. What the Activity page's charts draw. " +
    "Owners and admins see the workspace's calls; members see their own (asking for someone else's is refused). " +
    `Buckets start at \`from\`, sized ${Object.keys(BUCKETS).join(", ")}; a range is at most ${MAX_RANGE_DAYS} days and ${MAX_BUCKETS} buckets. At most ${MAX_SERIES} series.`,
  auth: "caller",
  query: toolCallStatsQuerySchema,
  responses: { 200: { description: "The range in buckets, the series and the totals", schema: toolCallStatsSchema } },
  errors: ["forbidden"],
});
