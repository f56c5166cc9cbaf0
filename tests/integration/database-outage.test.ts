// A database that can't be reached: the API answers 503 problem+json with Retry-After (not 500),
// the outage is logged once when it starts and once when it ends, readiness says so, and the
// console recovers by itself. PostgreSQL, through a TCP proxy the test cuts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, isPostgres, resetDbForTests } from "@/lib/db";
import { databaseCheckSettledForTests } from "@/lib/db-availability";
import { resetEnvForTests } from "@/lib/env";
import { captureLogsForTests } from "@/lib/log";
import { GET as ready } from "@/app/api/health/ready/route";
import { GET as live } from "@/app/api/health/live/route";
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
