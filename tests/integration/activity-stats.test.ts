// GET /api/v1/tool-calls/stats: what the Activity page's charts draw. Calls are appended through
// the activity log's own write path at chosen times, then summed up per bucket and series — counts,
// errors, median and 95th percentile exactly — with the list's visibility rules and problems.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { appendRecords, type NewRecord } from "@/lib/activity/chain-store";
import { MAX_SERIES } from "@/lib/activity/stats";
import { call, createActor, createWorkspace, type Actor } from "./helpers";

const HOUR = 3_600_000;
// A fixed past range: three hourly buckets from T0.
const T0 = Date.UTC(2026, 0, 10, 0, 0, 0);
const range = { from: new Date(T0).toISOString(), to: new Date(T0 + 3 * HOUR).toISOString(), bucket: "1h" };

let admin: Actor;
let member: Actor;
let alpha: string;
const beta = randomUUID(); // a provider deleted since: its calls stay in the log

type Call = { by: Actor; provider: string; name: string; at: number; ms: number; outcome?: string; identity?: string };

function recordOf({ by, provider, name, at, ms, outcome = "ok", identity = "off" }: Call): NewRecord {
  return {
    id: randomUUID(),
    workspaceId: by.workspaceId,
    userId: by.userId,
    userEmail: `${by.userId}@example.test`,
    providerId: provider,
    providerName: name,
    tool: "echo",
    via: "api",
    outcome,
    durationMs: ms,
    identity,
    requestId: randomUUID(),
    createdAt: new Date(at),
    arguments: null,
    result: null,
    approval: null,
  };
}

beforeAll(async () => {
  admin = await createActor("admin");
  member = await createActor("member", admin.workspaceId);
  const created = await call(admin, "POST /api/v1/mcp-providers", { body: { name: "Alpha", server_identifier: `alpha-${randomUUID().slice(0, 8)}`, server_url: `https://mcp.example.com/${randomUUID()}` } });
  alpha = created.json.id;
  const a = { provider: alpha, name: "Alpha before its rename" };
  const b = { provider: beta, name: "Beta" };
  const calls: Call[] = [
    // Bucket 0: Alpha 10, 20, 30 (a tool error), 40 ms by the admin; Beta 50 ms by the member, refused for want of an identity.
    ...[10, 20, 30, 40].map((ms, i) => ({ ...a, by: admin, at: T0 + i * 60_000, ms, outcome: ms === 30 ? "tool_error" : "ok" })),
    { ...b, by: member, at: T0 + 30 * 60_000, ms: 50, outcome: "identity_required", identity: "idp_token" },
    // Bucket 1: Beta 1…10 ms by the admin, forwarded.
    ...Array.from({ length: 10 }, (_, i) => ({ ...b, by: admin, at: T0 + HOUR + i * 1000, ms: i + 1, identity: "idp_token" })),
    // Bucket 2: Alpha 5, 100 (the server failed), 7 ms by the member.
    ...[5, 100, 7].map((ms) => ({ ...a, by: member, at: T0 + 2 * HOUR + ms * 1000, ms, outcome: ms === 100 ? "upstream_error" : "ok" })),
    // Outside the range: just before it, and at its end (which it doesn't include).
    { ...a, by: admin, at: T0 - 1, ms: 999 },
    { ...a, by: admin, at: T0 + 3 * HOUR, ms: 999 },
  ];
  const other = await createActor("admin", await createWorkspace());
  await appendRecords([...calls.map(recordOf), recordOf({ ...a, by: other, at: T0 + 60_000, ms: 999 })]);
});

describe("GET /api/v1/tool-calls/stats", () => {
  it("sums up the workspace's calls per hour and provider: counts, errors, median and 95th percentile", async () => {
    const res = await call(admin, "GET /api/v1/tool-calls/stats", { query: range });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ from: range.from, to: range.to, bucket: "1h", bucket_seconds: 3600, group_by: "provider" });
    // All 18 calls in range: 1 2 3 4 5 5 6 7 7 8 9 10 10 20 30 40 50 100 ms — of these, from 0, the median is at ⌊0.5 · 17⌋ = 8, the 95th percentile at ⌊0.95 · 17⌋ = 16.
    expect(res.json.totals).toEqual({ calls: 18, errors: 3, tool_errors: 1, p50_ms: 7, p95_ms: 50 });
    // Most calls first; a provider is called by its current name, a deleted one by the name its calls were recorded under.
    expect(res.json.series).toEqual([
      { key: beta, label: "Beta", calls: 11, errors: 1, tool_errors: 0, p50_ms: 6, p95_ms: 10 },
      { key: alpha, label: "Alpha", calls: 7, errors: 2, tool_errors: 1, p50_ms: 20, p95_ms: 40 },
    ]);
    const buckets = res.json.buckets;
    expect(buckets.map((bucket) => [bucket.start, bucket.calls, bucket.errors, bucket.tool_errors])).toEqual([
      [new Date(T0).toISOString(), 5, 2, 1],
      [new Date(T0 + HOUR).toISOString(), 10, 0, 0],
      [new Date(T0 + 2 * HOUR).toISOString(), 3, 1, 0],
    ]);
    const cell = (index: number, key: string) => buckets[index].series.find((series) => series.key === key);
    expect(cell(0, alpha)).toEqual({ key: alpha, calls: 4, errors: 1, tool_errors: 1, p50_ms: 20, p95_ms: 30 });
    expect(cell(0, beta)).toEqual({ key: beta, calls: 1, errors: 1, tool_errors: 0, p50_ms: 50, p95_ms: 50 });
    expect(cell(1, beta)).toEqual({ key: beta, calls: 10, errors: 0, tool_errors: 0, p50_ms: 5, p95_ms: 9 });
    expect(cell(1, alpha)).toBeUndefined();
    expect(cell(2, alpha)).toEqual({ key: alpha, calls: 3, errors: 1, tool_errors: 0, p50_ms: 7, p95_ms: 7 });
  });

  it("counts a call that goes on (the first half of a 2026-07-28 round trip, a stream to resume) as no error, as the list's error filter does", async () => {
    const owner = await createActor("admin", await createWorkspace());
    const c = { provider: alpha, name: "Alpha", by: owner };
    await appendRecords(["ok", "input_required", "resumed", "tool_error"].map((outcome, i) => recordOf({ ...c, at: T0 + i * 1000, ms: 10, outcome })));
    const res = await call(owner, "GET /api/v1/tool-calls/stats", { query: range });
    expect(res.json.totals).toMatchObject({ calls: 4, errors: 1, tool_errors: 1 });
    const listed = await call(owner, "GET /api/v1/tool-calls", { query: { outcome: "error" } });
    expect(listed.json.data.map((row) => row.outcome)).toEqual(["tool_error"]);
  });

  it("groups by the identity mode the calls carried", async () => {
    const res = await call(admin, "GET /api/v1/tool-calls/stats", { query: { ...range, group_by: "identity" } });
    expect(res.json.series.map(({ key, label, calls, errors }) => ({ key, label, calls, errors }))).toEqual([
      { key: "idp_token", label: "idp_token", calls: 11, errors: 1 },
      { key: "off", label: "off", calls: 7, errors: 2 },
    ]);
    expect(res.json.buckets[0].series.map((series) => [series.key, series.calls]).sort()).toEqual([["idp_token", 1], ["off", 4]]);
  });

  it("narrows to one provider (what the provider's page draws)", async () => {
    const res = await call(admin, "GET /api/v1/tool-calls/stats", { query: { ...range, provider: alpha } });
    expect(res.json.totals).toEqual({ calls: 7, errors: 2, tool_errors: 1, p50_ms: 20, p95_ms: 40 });
    expect(res.json.series.map((series) => series.key)).toEqual([alpha]);
  });

  it("shows a member only their own calls, and refuses them anyone else's", async () => {
    const own = await call(member, "GET /api/v1/tool-calls/stats", { query: range });
    expect(own.json.totals).toEqual({ calls: 4, errors: 2, tool_errors: 0, p50_ms: 7, p95_ms: 50 });
    expect((await call(member, "GET /api/v1/tool-calls/stats", { query: { ...range, user: member.userId } })).json.totals.calls).toBe(4);
    const refused = await call(member, "GET /api/v1/tool-calls/stats", { query: { ...range, user: admin.userId } });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe("forbidden");
    // An admin may look at one member's.
    expect((await call(admin, "GET /api/v1/tool-calls/stats", { query: { ...range, user: member.userId } })).json.totals.calls).toBe(4);
  });

  it("answers an empty range with every bucket, all zero", async () => {
    const res = await call(admin, "GET /api/v1/tool-calls/stats", { query: { from: new Date(T0 - 10 * HOUR).toISOString(), to: new Date(T0 - 5 * HOUR).toISOString() } });
    expect(res.json.totals).toEqual({ calls: 0, errors: 0, tool_errors: 0, p50_ms: null, p95_ms: null });
    expect(res.json.series).toEqual([]);
    // Five hours in at most 40 buckets: the smallest size that fits is 15 minutes.
    expect(res.json.bucket).toBe("15m");
    expect(res.json.buckets.map((bucket) => bucket.calls)).toEqual(new Array(20).fill(0));
  });

  it("chooses a bucket for the range when none is given: the last 24 hours by the hour, a week by six hours", async () => {
    const day = await call(admin, "GET /api/v1/tool-calls/stats", {});
    expect(day.status).toBe(200);
    expect([day.json.bucket, day.json.buckets.length]).toEqual(["1h", 24]);
    expect(Date.parse(day.json.to) - Date.parse(day.json.from)).toBeGreaterThanOrEqual(24 * HOUR - 1000);
    const week = await call(admin, "GET /api/v1/tool-calls/stats", { query: { from: new Date(T0).toISOString(), to: new Date(T0 + 7 * 24 * HOUR).toISOString() } });
    expect([week.json.bucket, week.json.buckets.length, week.json.totals.calls]).toEqual(["6h", 28, 19]);
  });

  it.each([
    [{ ...range, bucket: "2h" }, "bucket"],
    [{ ...range, group_by: "tool" }, "group_by"],
    [{ ...range, from: "yesterday" }, "from"],
    [{ from: range.to, to: range.from }, "to"],
    [{ from: "2024-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }, "from"],
    [{ from: "2026-01-01T00:00:00Z", to: "2026-01-31T00:00:00Z", bucket: "1m" }, "bucket"],
    [{ ...range, provider: "not-a-uuid" }, "provider"],
    [{ ...range, limit: "5" }, "limit"],
  ])("refuses %j as problem+json naming %s", async (query, path) => {
    const res = await call(admin, "GET /api/v1/tool-calls/stats", { query });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.json.code).toBe("validation_failed");
    expect(res.json.errors?.map((error) => error.path)).toContain(path);
  });

  it(`keeps to ${MAX_SERIES} series, the providers with the fewest calls summed up as one`, async () => {
    const crowd = await createActor("admin");
    const providers = Array.from({ length: 10 }, (_, i) => ({ id: randomUUID(), name: `P${i}`, calls: 20 - i }));
    await appendRecords(providers.flatMap((provider) => Array.from({ length: provider.calls }, (_, n) => recordOf({ by: crowd, provider: provider.id, name: provider.name, at: T0 + n * 1000, ms: n + 1 }))));
    const res = await call(crowd, "GET /api/v1/tool-calls/stats", { query: range });
    const series = res.json.series;
    expect(series.map((entry) => [entry.label, entry.calls])).toEqual([...providers.slice(0, MAX_SERIES - 1).map((provider) => [provider.name, provider.calls]), ["Other providers", 13 + 12 + 11]]);
    // The other providers' calls took 1…13, 1…12 and 1…11 ms: of the 36 sorted, from 0, the 17th is 6 ms and the 33rd 12 ms.
    expect(series.at(-1)).toMatchObject({ key: "other", p50_ms: 6, p95_ms: 12 });
    expect(res.json.totals.calls).toBe(providers.reduce((sum, provider) => sum + provider.calls, 0));
  });
});
