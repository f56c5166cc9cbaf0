// A database that can't be reached: the API answers 503 problem+json with Retry-After (not 500),
// the outage is logged once when it starts and once when it ends, readiness says so, and the
// console recovers by itself — route handlers and the gateway alike, one outage state per process.
// PostgreSQL, through a TCP proxy the test cuts.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import { flushToolCalls, recordToolCall } from "@/lib/activity/tool-calls";
import { toApiError } from "@/lib/api/handler";
import { db, isPostgres, resetDbForTests } from "@/lib/db";
import { databaseCheckSettledForTests } from "@/lib/db-availability";
import { serveGateway } from "@/lib/gateway/http";
import { resetEnvForTests } from "@/lib/env";
import { captureLogsForTests } from "@/lib/log";
import { GET as ready } from "@/app/api/health/ready/route";
import { GET as live } from "@/app/api/health/live/route";
import { GET as metrics } from "@/app/metrics/route";
import { countToolCall } from "@/lib/observability/metrics";
import { postgresConfig } from "@/prisma/database-url.mjs";
import { startTcpProxy } from "../../e2e/support/tcp-proxy";
import { present } from "@/tests/support/present";
import { call, callPath, createActor, type Actor } from "./helpers";

const postgres = isPostgres();
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let admin: Actor;
let originalUrl: string;

beforeAll(async () => {
  if (!postgres) return;
  admin = await createActor("admin");
  originalUrl = present(process.env.DATABASE_URL, "DATABASE_URL");
  const { host, port } = postgresConfig(originalUrl);
  proxy = await startTcpProxy({ host, port });
  const proxied = new URL(originalUrl);
  proxied.port = String(proxy.port);
  process.env.DATABASE_URL = proxied.href;
  resetEnvForTests();
  await resetDbForTests();
});

afterAll(async () => {
  if (!postgres) return;
  process.env.DATABASE_URL = originalUrl;
  resetEnvForTests();
  await resetDbForTests();
  await proxy.stop();
});

describe.skipIf(!postgres)("a database outage", () => {
  it("is 503 problem+json with Retry-After, logged once, and over as soon as the database is back", async () => {
    expect((await call(admin, "GET /api/v1/mcp-providers")).status).toBe(200);
    expect((await ready()).status).toBe(200);

    const lines: string[] = [];
    const stopCapture = captureLogsForTests((line) => lines.push(line), "info");
    try {
      proxy.cut();
      const during = [];
      // Each GET asks for a page not read before: one read moments ago may still come from memory.
      for (let i = 0; i < 5; i++) during.push(await callPath(admin, i % 2 ? "GET" : "POST", `/api/v1/mcp-providers${i % 2 ? `?q=outage-${i}` : ""}`, i % 2 ? {} : { body: { name: `Outage ${i}`, server_identifier: `outage-${i}`, server_url: `https://outage.example/${i}` } }));
      for (const res of during) {
        expect(res.status).toBe(503);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        expect(res.json.code).toBe("service_unavailable");
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      }
      // The page read just before the outage is still answered from memory, and that answer is not
      // mistaken for the database being back (which would log the outage's end, then its start again).
      expect((await call(admin, "GET /api/v1/mcp-providers")).status).toBe(200);
      await databaseCheckSettledForTests();
      expect((await callPath(admin, "GET", "/api/v1/mcp-providers?q=still-out")).status).toBe(503);
      const probe = await ready();
      expect(probe.status).toBe(503);
      expect(await probe.json()).toEqual({ status: "unavailable" });
      expect(live().status).toBe(200);

      proxy.restore();
      expect((await call(admin, "GET /api/v1/mcp-providers")).status).toBe(200);
      expect((await ready()).status).toBe(200);
      await databaseCheckSettledForTests();
    } finally {
      stopCapture();
      proxy.restore();
    }
    const logged = lines.map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(logged.filter((line) => /can't be reached/.test(line.msg))).toHaveLength(1);
    expect(logged.filter((line) => /reachable again/.test(line.msg))).toHaveLength(1);
    expect(logged.filter((line) => line.msg === "unhandled error in route handler")).toEqual([]);
    // Nothing written during the outage appeared afterwards.
    expect(await db().mcpProvider.count({ where: { workspaceId: admin.workspaceId } })).toBe(0);
  });
});

/** Reads what the console logged while `work` ran: the outage's start and end lines. */
async function outageLines(work: () => Promise<void>) {
  const lines: string[] = [];
  const stopCapture = captureLogsForTests((line) => lines.push(line), "info");
  try {
    await work();
  } finally {
    stopCapture();
    if (postgres) proxy.restore();
  }
  const logged = lines.map((line) => JSON.parse(line) as { msg: string });
  return { started: logged.filter((line) => /can't be reached/.test(line.msg)).length, ended: logged.filter((line) => /reachable again/.test(line.msg)).length };
}

describe.skipIf(!postgres)("a connection lost mid-request", () => {
  it("is 503, not 500: pg's \"not queryable\" is the database going away", async () => {
    const counts = await outageLines(async () => {
      // A create's transaction whose connection closes between two statements, as when PostgreSQL shuts down.
      const error = await db()
        .$transaction(async (tx) => {
          await tx.user.count();
          proxy.cut();
          await new Promise((resolve) => setTimeout(resolve, 50));
          await tx.user.count();
        })
        .catch((caught: unknown) => caught);
      proxy.restore();
      expect(String(error)).toMatch(/not queryable|Connection terminated/);
      const apiError = toApiError(error, new Request("http://127.0.0.1/api/v1/mcp-providers", { method: "POST" }), "test");
      expect([apiError.status, apiError.code]).toEqual([503, "service_unavailable"]);
      await databaseCheckSettledForTests();
      expect((await call(admin, "GET /api/v1/mcp-providers")).status).toBe(200);
      await databaseCheckSettledForTests();
    });
    expect(counts).toEqual({ started: 1, ended: 1 });
  });
});

describe.skipIf(!postgres)("the gateway during an outage", () => {
  it("reports the end of an outage, once, when its callers are answered again", async () => {
    const counts = await outageLines(async () => {
      proxy.cut();
      expect((await callPath(admin, "GET", "/api/v1/mcp-providers?q=gateway-outage")).status).toBe(503);
      proxy.restore();
      const answer = await serveGateway(
        new Request("http://localhost/mcp", {
          method: "POST",
          headers: { authorization: `Bearer ${present(admin.token, "token")}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
        }),
        {},
      );
      expect(answer.status).toBe(200);
      await answer.text();
      await databaseCheckSettledForTests();
    });
    expect(counts).toEqual({ started: 1, ended: 1 });
  });
});

describe.skipIf(!postgres)("tool calls answered as the database goes away", () => {
  it("are kept and recorded, by themselves, once it is back; the log says how many", async () => {
    const requestIds = [1, 2, 3].map(() => `kept-${randomUUID()}`);
    const lines: string[] = [];
    const stopCapture = captureLogsForTests((line) => lines.push(line), "warn");
    try {
      proxy.cut();
      for (const requestId of requestIds) {
        recordToolCall({ workspaceId: admin.workspaceId, userId: admin.userId, userEmail: "kept@example.test", providerId: "p", providerName: "P", tool: "echo", via: "gateway", outcome: "ok", durationMs: 5, identity: "off", requestId });
      }
      await flushToolCalls(); // the batch's write fails
      proxy.restore();
      // Written by the console's own retry: nobody asks.
      await vi.waitFor(async () => { expect(await db().toolCall.count({ where: { requestId: { in: requestIds } } })).toBe(3); }, { timeout: 10_000, interval: 200 });
    } finally {
      stopCapture();
      proxy.restore();
    }
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; kept?: number; written?: number; dropped?: number });
    expect(logged.filter((line) => line.kept !== undefined).map(({ kept, dropped }) => ({ kept, dropped }))).toEqual([{ kept: 3, dropped: 0 }]);
    expect(logged.filter((line) => line.written !== undefined).map(({ written }) => written)).toEqual([3]);
  });
});

describe.skipIf(!postgres)("/metrics during an outage", () => {
  it("still serves METRICS_TOKEN the counts, without the names the database holds; an API token it can't check is 503", async () => {
    const providerId = randomUUID();
    countToolCall({ workspaceId: admin.workspaceId, providerId, via: "gateway", outcome: "ok", durationMs: 5 });
    const unchecked = await createActor("admin", admin.workspaceId);
    const metricsToken = "outage-metrics-token-0123456789-0123456789";
    process.env.METRICS_TOKEN = metricsToken;
    resetEnvForTests();
    const scrape = async (token: string) => {
      const res = await metrics(new Request("http://127.0.0.1/metrics", { headers: { authorization: `Bearer ${token}` } }));
      return { status: res.status, text: await res.text() };
    };
    try {
      const counts = await outageLines(async () => {
        proxy.cut();
        const during = await scrape(metricsToken);
        expect(during.status).toBe(200);
        expect(during.text).toContain(`mcp_console_tool_calls_total{workspace_id="${admin.workspaceId}",provider_id="${providerId}",via="gateway",outcome="ok"} 1`);
        expect(during.text).not.toMatch(/^mcp_console_workspace_info\{/m);
        expect((await scrape(present(unchecked.token, "token"))).status).toBe(503);
        proxy.restore();
        // The names are back with the database, and so is the console: the outage ends.
        expect((await scrape(metricsToken)).text).toContain(`mcp_console_workspace_info{workspace_id="${admin.workspaceId}",`);
        await databaseCheckSettledForTests();
      });
      expect(counts).toEqual({ started: 1, ended: 1 });
    } finally {
      Reflect.deleteProperty(process.env, "METRICS_TOKEN");
      resetEnvForTests();
    }
  });
});

describe("the outage's state", () => {
  it("is one per process: two bundles' copies of the module log an outage, and its end, once", async () => {
    // Each copy comes with its own copy of the logger: both are read.
    const copies = [];
    for (let i = 0; i < 2; i++) {
      vi.resetModules();
      copies.push({ availability: await import("@/lib/db-availability"), logs: await import("@/lib/log") });
    }
    const [first, second] = copies.map((copy) => copy.availability);
    expect(first).not.toBe(second);
    const lines: string[] = [];
    const stops = copies.map((copy) => copy.logs.captureLogsForTests((line) => lines.push(line), "info"));
    try {
      const error = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      first.noteDatabaseUnavailable(error);
      second.noteDatabaseUnavailable(error);
      second.noteDatabaseAvailable();
      await second.databaseCheckSettledForTests();
      first.noteDatabaseAvailable();
      await first.databaseCheckSettledForTests();
    } finally {
      for (const stop of stops) stop();
    }
    const logged = lines.map((line) => JSON.parse(line) as { msg: string });
    expect(logged.filter((line) => /can't be reached/.test(line.msg))).toHaveLength(1);
    expect(logged.filter((line) => /reachable again/.test(line.msg))).toHaveLength(1);
  });
});
