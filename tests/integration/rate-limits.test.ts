// Rate limits: 429 problem+json with Retry-After, counted in the database so that several
// console instances (separate database clients) share one count.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { PrismaClient as PostgresClient } from "@/generated/postgres/client";
import { PrismaClient as SqliteClient } from "@/generated/sqlite/client";
import { db, isPostgres } from "@/lib/db";
import { env } from "@/lib/env";
import { hit, LIMITS } from "@/lib/rate-limit";
import { postgresConfig, sqliteFilePath } from "@/prisma/database-url.mjs";
import { POST as nextAuthPost } from "@/app/api/auth/[...nextauth]/route";
import { POST as issueTokenPost } from "@/app/inner/api/mcp/issue-token/route";
import { call, createActor } from "./helpers";

/** Another console instance: its own database client on the same database. */
function secondInstance() {
  const url = env().DATABASE_URL;
  return isPostgres()
    ? (new PostgresClient({ adapter: new PrismaPg(postgresConfig(url)) }) as unknown as typeof db extends () => infer D ? D : never)
    : new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${sqliteFilePath(url)}` }) });
}

describe("rate limits", () => {
  it("creating API tokens: the 21st within the hour is refused with 429 and Retry-After", async () => {
    const admin = await createActor("admin");
    for (let i = 0; i < LIMITS.apiTokenPerUser.max; i++) {
      expect((await call(admin, "POST", "/api/v1/api-tokens", { body: { name: `t${i}` }, headers: { "x-forwarded-for": `10.9.${i}.1` } })).status).toBe(201);
    }
    const refused = await call(admin, "POST", "/api/v1/api-tokens", { body: { name: "one too many" } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.json.code).toBe("rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(3600);
    expect(await db().apiToken.count({ where: { userId: admin.userId, name: "one too many" } })).toBe(0);
  });

  it("sign-in: too many attempts for one account get 429 before any password is checked", async () => {
    const email = `target-${Date.now()}@example.test`;
    for (let i = 0; i < LIMITS.signInPerAccount.max; i++) await hit(LIMITS.signInPerAccount, email);
    const req = new NextRequest("http://127.0.0.1:3000/api/auth/callback/credentials", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": "10.1.1.1" },
      body: new URLSearchParams({ email, password: "guess", csrfToken: "x" }),
    });
    const res = await nextAuthPost(req, { params: Promise.resolve({ nextauth: ["callback", "credentials"] }) });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await res.json()).code).toBe("rate_limited");
  });

  it("sign-in: too many attempts from one address get 429, whatever the account", async () => {
    const address = `10.2.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < LIMITS.signInPerAddress.max; i++) await hit(LIMITS.signInPerAddress, address);
    const req = new NextRequest("http://127.0.0.1:3000/api/auth/callback/credentials", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": address },
      body: new URLSearchParams({ email: `fresh-${Date.now()}@example.test`, password: "x" }),
    });
    expect((await nextAuthPost(req, { params: Promise.resolve({ nextauth: ["callback", "credentials"] }) })).status).toBe(429);
  });

  it("identity token issuance: too many requests from one address get 429 at the inner route", async () => {
    process.env.ENTERPRISE_ENABLED = "true";
    process.env.ENTERPRISE_API_SECRET = "inner-secret";
    const { resetEnvForTests } = await import("@/lib/env");
    resetEnvForTests();
    try {
      const address = `10.3.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
      for (let i = 0; i < LIMITS.identityTokenPerAddress.max; i++) await hit(LIMITS.identityTokenPerAddress, address);
      const res = await issueTokenPost(
        new Request("http://127.0.0.1:3000/inner/api/mcp/issue-token", {
          method: "POST",
          headers: { "content-type": "application/json", "x-inner-api-secret": "inner-secret", "x-forwarded-for": address },
          body: JSON.stringify({ user_id: "u", workspace_id: "w", audience: "https://mcp.example.com/mcp", mode: "idp_token" }),
        }),
      );
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    } finally {
      delete process.env.ENTERPRISE_ENABLED;
      delete process.env.ENTERPRISE_API_SECRET;
      resetEnvForTests();
    }
  });

  it("counts across console instances sharing the database", async () => {
    const other = secondInstance();
    try {
      const subject = `shared-${Date.now()}`;
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
