// Other instances' changes, heard over PostgreSQL LISTEN/NOTIFY — and still heard after the
// listening connection is cut, with everything cached in between forgotten.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenerBackendForTests, listenForChanges, onChange, stopListeningForTests } from "@/lib/change-bus";
import { isPostgres } from "@/lib/db";
import { trackRequest } from "@/lib/gateway/in-flight";
import { env, resetEnvForTests } from "@/lib/env";
import { postgresConfig } from "@/prisma/database-url.mjs";
import { startTcpProxy } from "../../e2e/support/tcp-proxy";
import { withPostgres } from "../setup/postgres";

const heard: string[] = [];
let forgotten = 0;
onChange("providers", (id) => heard.push(id), () => { forgotten += 1; });

/** What another instance does after a change to the providers of `id`. */
async function announceElsewhere(id: string) {
  await withPostgres(env().DATABASE_URL, async (client) => {
    await client.query("SELECT pg_notify('mcp_console_changes', $1)", [`providers:${id}`]);
  });
}

describe.skipIf(!isPostgres())("the change listener", () => {
  beforeAll(async () => {
    await listenForChanges();
  });
  afterAll(async () => {
    await stopListeningForTests();
  });

  it("hears what other instances announce, and nothing that isn't a change", async () => {
    await announceElsewhere("ws-1");
    await withPostgres(env().DATABASE_URL, async (client) => {
      await client.query("SELECT pg_notify('mcp_console_changes', 'gossip:ws-1')");
      await client.query("SELECT pg_notify('mcp_console_changes', 'no colon')");
    });
    await expect.poll(() => heard.includes("ws-1")).toBe(true);
    expect(heard.filter((id) => id !== "ws-1")).toEqual([]);
  });

  it("a gateway request is cancelled by a cancellation that reached another instance", async () => {
    const key = { userId: "user-1", sessionId: "session-1", requestId: 7 };
    let aborted = false;
    const running = trackRequest(key, new AbortController().signal, (signal) =>
      new Promise<void>((resolve) => { signal.addEventListener("abort", () => { aborted = true; resolve(); }, { once: true }); }),
    );
    // Another user's request with the same id and session is not touched.
    let otherAborted = false;
    const other = trackRequest({ ...key, userId: "user-2" }, new AbortController().signal, (signal) =>
      new Promise<void>((resolve) => {
        signal.addEventListener("abort", () => { otherAborted = true; });
        setTimeout(resolve, 1500);
      }),
    );
    await withPostgres(env().DATABASE_URL, async (client) => {
      await client.query("SELECT pg_notify('mcp_console_changes', $1)", [`cancel:${JSON.stringify(["user-1", "session-1", 7])}`]);
    });
    await expect.poll(() => aborted, { timeout: 3000 }).toBe(true);
    await running;
    await other;
    expect(otherAborted).toBe(false);
  });

  it("reconnects after its connection is cut, forgetting what it cached meanwhile", async () => {
    const backend = listenerBackendForTests();
    expect(backend).toBeDefined();
    const forgottenBefore = forgotten;
    await withPostgres(env().DATABASE_URL, async (client) => {
      await client.query("SELECT pg_terminate_backend($1)", [backend]);
    });
    await expect.poll(() => forgotten, { timeout: 5_000 }).toBeGreaterThan(forgottenBefore); // on losing it
    const listeningAnew = () => {
      const now = listenerBackendForTests();
      return now !== undefined && now !== backend;
    };
    await expect.poll(listeningAnew, { timeout: 10_000 }).toBe(true);
    expect(forgotten).toBeGreaterThanOrEqual(forgottenBefore + 2); // and again once listening anew

    await announceElsewhere("ws-2");
    await expect.poll(() => heard.includes("ws-2")).toBe(true);
  });

  it("keeps trying while the database can't be reached, and listens again once it can", async () => {
    const direct = env().DATABASE_URL;
    const proxy = await startTcpProxy(postgresConfig(direct));
    await stopListeningForTests();
    const proxied = new URL(direct);
    proxied.port = String(proxy.port);
    process.env.DATABASE_URL = proxied.href;
    resetEnvForTests();
    try {
      await listenForChanges();
      const backend = listenerBackendForTests();
      expect(backend).toBeDefined();
      proxy.cut(); // the connection drops, and reconnecting is refused…
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(listenerBackendForTests()).toBeUndefined();
      proxy.restore(); // …until the database is back
      await expect.poll(() => listenerBackendForTests() !== undefined, { timeout: 15_000 }).toBe(true);
      await announceElsewhere("ws-3");
      await expect.poll(() => heard.includes("ws-3")).toBe(true);
    } finally {
      await stopListeningForTests();
      process.env.DATABASE_URL = direct;
      resetEnvForTests();
      await proxy.stop();
      await listenForChanges();
    }
  }, 30_000);
});
