// The guarded fetch (undici) and the relay's guarded request (node:http) against real local
// sockets, with a scripted resolver standing in for DNS: both hold every connection to one policy.
import { getEventListeners } from "node:events";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classify } from "@/lib/mcp/client";
import { createGuardedFetch, createGuardedRequest } from "@/lib/mcp/outbound";

type Options = Parameters<typeof createGuardedFetch>[0];

/** The relay's request, asked as a fetch is (its answer made a Response), so one suite judges both. */
function requestAsFetch(options: Options): typeof fetch {
  const request = createGuardedRequest(options);
  return async (input, init) => {
    const answer = await request(input instanceof Request ? input.url : input.toString(), { method: init?.method ?? "GET", headers: Object.fromEntries(new Headers(init?.headers)), signal: new AbortController().signal, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000 });
    return answer.response();
  };
}

let server: http.Server;
let port: number;
let otherServer: http.Server;
let otherPort: number;
const hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(`${req.socket.localAddress} ${req.url}`);
    if (req.url === "/redirect") return void res.writeHead(302, { location: "http://127.0.0.1/elsewhere" }).end();
    res.writeHead(200, { "content-type": "text/plain", connection: "close" }).end("ok");
  });
  // 0.0.0.0 so the same server answers on 127.0.0.1 and 127.0.0.2.
  await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
  port = (server.address() as AddressInfo).port;
  otherServer = http.createServer((req, res) => {
    hits.push(`other ${req.url}`);
    res.writeHead(200, { connection: "close" }).end("other");
  });
  await new Promise<void>((resolve) => otherServer.listen(0, "127.0.0.1", resolve));
  otherPort = (otherServer.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const s of [server, otherServer]) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** The reason a guarded fetch refused, wherever undici put it. */
async function refusal(request: Promise<Response>): Promise<string> {
  const error = (await request.then(() => undefined, (e: unknown) => e)) as (Error & { cause?: Error }) | undefined;
  if (!error) throw new Error("the request should have been refused");
  return `${error.message} ${error.cause?.message ?? ""}`;
}

const resolveTo = (...answers: string[][]) => {
  let call = 0;
  return () => Promise.resolve((answers[Math.min(call++, answers.length - 1)] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));
};

describe.each([
  ["guarded fetch", createGuardedFetch],
  ["the relay's guarded request", requestAsFetch],
])("%s", (_name, createGuardedFetch) => {
  it("refuses loopback and private literals unless allowed", async () => {
    const guarded = createGuardedFetch();
    expect(await refusal(guarded(`http://127.0.0.1:${port}/x`))).toMatch(/may connect to|may not connect/);
    await expect(guarded(`http://[::1]:${port}/x`)).rejects.toThrow();
    await expect(guarded(`http://[::ffff:127.0.0.1]:${port}/x`)).rejects.toThrow();
    await expect(guarded(`http://169.254.169.254/latest/meta-data`)).rejects.toThrow();
    const allowed = createGuardedFetch({ allowedHosts: "127.0.0.1" });
    expect(await (await allowed(`http://127.0.0.1:${port}/ok`)).text()).toBe("ok");
  });

  it("refuses names that resolve to blocked addresses", async () => {
    const before = hits.length;
    const guarded = createGuardedFetch({ resolve: resolveTo(["127.0.0.1"]) });
    await expect(guarded(`http://mcp.attacker.example:${port}/x`)).rejects.toThrow();
    expect(hits.length).toBe(before);
  });

  it("checks the resolved address at connect time: a rebinding answer on the second lookup is refused", async () => {
    // The first lookup answers an allowed address (127.0.0.2 stands in for a public one: this
    // sandbox may only connect to loopback); the second answers loopback 127.0.0.1, which is not.
    const guarded = createGuardedFetch({ allowedHosts: "127.0.0.2/32", resolve: resolveTo(["127.0.0.2"], ["127.0.0.1"]) });
    const before = hits.length;
    const first = await guarded(`http://rebind.attacker.example:${port}/first`, { headers: { connection: "close" } });
    expect(await first.text()).toBe("ok");
    expect(hits.slice(before)).toEqual([`127.0.0.2 /first`]);
    await expect(guarded(`http://rebind.attacker.example:${port}/second`, { headers: { connection: "close" } })).rejects.toThrow();
    expect(hits.slice(before)).toEqual([`127.0.0.2 /first`]); // nothing reached 127.0.0.1
  });

  it("uses only the allowed addresses of a mixed answer", async () => {
    const guarded = createGuardedFetch({ allowedHosts: "127.0.0.2/32", resolve: resolveTo(["127.0.0.1", "127.0.0.2"]) });
    const before = hits.length;
    expect(await (await guarded(`http://mixed.example:${port}/mixed`, { headers: { connection: "close" } })).text()).toBe("ok");
    expect(hits.slice(before)).toEqual([`127.0.0.2 /mixed`]);
  });

  it("judges every connection by its own host and port: host:port allows that port only, however often it was used", async () => {
    const guarded = createGuardedFetch({ allowedHosts: `internal.example:${port}`, resolve: resolveTo(["127.0.0.1"]) });
    const before = hits.length;
    for (let i = 0; i < 2; i++) {
      expect(await (await guarded(`http://internal.example:${port}/ok`, { headers: { connection: "close" } })).text()).toBe("ok");
      expect(await refusal(guarded(`http://internal.example:${otherPort}/nope`, { headers: { connection: "close" } }))).toMatch(/may not connect/);
    }
    expect(hits.slice(before)).toEqual(["127.0.0.1 /ok", "127.0.0.1 /ok"]);
  });

  it("allows an IP literal listed with its port on that port only", async () => {
    const guarded = createGuardedFetch({ allowedHosts: `127.0.0.1:${port}` });
    expect(await (await guarded(`http://127.0.0.1:${port}/ok`, { headers: { connection: "close" } })).text()).toBe("ok");
    expect(await refusal(guarded(`http://127.0.0.1:${otherPort}/nope`))).toMatch(/may connect to/);
  });

  it("refuses non-HTTP schemes", async () => {
    await expect(createGuardedFetch()("file:///etc/passwd")).rejects.toThrow(/not allowed/);
  });
});

describe("redirects", () => {
  it("the guarded fetch refuses them instead of following", async () => {
    const guarded = createGuardedFetch({ allowedHosts: "127.0.0.1" });
    await expect(guarded(`http://127.0.0.1:${port}/redirect`)).rejects.toThrow();
  });

  it("the relay's request hands the redirect back, unfollowed, for the relay to refuse", async () => {
    const before = hits.length;
    const answer = await requestAsFetch({ allowedHosts: "127.0.0.1" })(`http://127.0.0.1:${port}/redirect`);
    expect(answer.status).toBe(302);
    expect(hits.slice(before)).toEqual([`127.0.0.1 /redirect`]);
  });
});

describe("the relay's request, beyond the guard", () => {
  const init = (overrides: { headersTimeoutMs?: number; bodyTimeoutMs?: number } = {}) => ({ method: "POST", headers: {}, body: "{}", signal: new AbortController().signal, headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000, ...overrides });

  /** A plain TCP server: what it is sent on each connection, and the local address each came to. */
  async function rawServer(onData: (socket: net.Socket) => void) {
    const arrivals: string[] = [];
    const server = net.createServer((socket) => {
      arrivals.push(socket.localAddress ?? "");
      socket.on("error", () => undefined);
      socket.once("data", () => { onData(socket); });
    });
    await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
    return { port: (server.address() as AddressInfo).port, arrivals, stop: () => new Promise((resolve) => server.close(resolve)) };
  }

  it("a connection not made in time is given up on, and reads as an unreachable server, not a bad answer", async () => {
    // A name whose lookup never answers keeps the socket connecting, as a host that drops every SYN would.
    const request = createGuardedRequest({ allowedHosts: "never.example", resolve: () => new Promise(() => undefined), connectTimeoutMs: 200 });
    const started = Date.now();
    const failure = await request("http://never.example:8080/mcp", init({ headersTimeoutMs: 60_000 })).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(failure).toMatchObject({ code: "ETIMEDOUT", message: "connect timed out after 0.2 s" });
    expect(classify(failure)).toMatchObject({ failure: "unreachable", message: "the server is unreachable (ETIMEDOUT)" });
  });

  it("a kept-alive connection carries the next call, and is closed once idle for long enough", async () => {
    let connections = 0;
    let closed = 0;
    const keeping = http.createServer((_req, res) => { res.writeHead(200, { "content-type": "application/json" }).end("{}"); });
    keeping.on("connection", (socket) => {
      connections++;
      socket.on("close", () => { closed++; });
    });
    await new Promise<void>((resolve) => keeping.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(keeping.address() as AddressInfo).port}/mcp`;
      const request = createGuardedRequest({ allowedHosts: "127.0.0.1", idleSocketMs: 300 });
      const callOnce = async () => { await (await request(url, init())).response().text(); };
      await callOnce();
      await callOnce();
      expect([connections, closed]).toEqual([1, 0]);
      // Idle past its time, the console closes it (before a server could close it under a request).
      for (let i = 0; i < 100 && closed === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(closed).toBe(1);
      await callOnce();
      expect(connections).toBe(2);
    } finally {
      keeping.closeAllConnections();
      await new Promise((resolve) => keeping.close(resolve));
    }
  });

  it("over https, a name is held to the policy on the address it resolves to", async () => {
    const raw = await rawServer((socket) => socket.destroy());
    try {
      const blocked = createGuardedRequest({ resolve: resolveTo(["127.0.0.1"]) });
      await expect(blocked(`https://mcp.attacker.example:${raw.port}/x`, init())).rejects.toThrow(/may not connect/);
      // A mixed answer: only the allowed address is dialled (the TLS handshake then fails on this plain socket).
      const mixed = createGuardedRequest({ allowedHosts: "127.0.0.2/32", resolve: resolveTo(["127.0.0.1", "127.0.0.2"]) });
      await expect(mixed(`https://mixed.example:${raw.port}/x`, init())).rejects.toThrow();
      expect(raw.arrivals).toEqual(["127.0.0.2"]);
    } finally {
      await raw.stop();
    }
  });

  it("a call cancelled before it starts opens no connection", async () => {
    const raw = await rawServer((socket) => socket.destroy());
    try {
      const cancelled = new AbortController();
      cancelled.abort();
      const url = `http://127.0.0.1:${raw.port}/mcp`;
      await expect(createGuardedRequest({ allowedHosts: "127.0.0.1" })(url, { ...init(), signal: cancelled.signal })).rejects.toThrow(/aborted/);
      // A call after it, on a request of its own, connects: by then the cancelled one's connection would have come first.
      await expect(createGuardedRequest({ allowedHosts: "127.0.0.1" })(url, init())).rejects.toThrow();
      expect(raw.arrivals).toHaveLength(1);
    } finally {
      await raw.stop();
    }
  });

  it("a server that switches protocols (101) is refused at once, not waited on", async () => {
    const raw = await rawServer((socket) => socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n"));
    try {
      const started = Date.now();
      await expect(createGuardedRequest({ allowedHosts: "127.0.0.1" })(`http://127.0.0.1:${raw.port}/mcp`, init({ headersTimeoutMs: 60_000 }))).rejects.toThrow(/switched protocols/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await raw.stop();
    }
  });

  it("a cancellation ends an answer that is streaming, and no call leaves its listener on the signal", async () => {
    let open: http.ServerResponse | undefined;
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/event-stream" });
      if (req.url === "/done") return void res.end("data: {}\n\n");
      res.write("data: {}\n\n");
      open = res; // and never ended
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port: serverPort } = server.address() as AddressInfo;
      const request = createGuardedRequest({ allowedHosts: "127.0.0.1" });
      const listeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length;

      const finished = new AbortController();
      const done = (await request(`http://127.0.0.1:${serverPort}/done`, { ...init(), signal: finished.signal })).takeSource();
      await new Promise((resolve) => { done?.resume().on("close", resolve); });
      await expect.poll(() => listeners(finished.signal)).toBe(0);

      const cancelled = new AbortController();
      const streaming = (await request(`http://127.0.0.1:${serverPort}/stream`, { ...init({ bodyTimeoutMs: 0 }), signal: cancelled.signal })).takeSource();
      if (!streaming) throw new Error("no body");
      const ended = new Promise<string>((resolve) => { streaming.on("error", (error: Error) => { resolve(error.message); }).on("close", () => { resolve("closed"); }).resume(); });
      expect(listeners(cancelled.signal)).toBe(1);
      cancelled.abort();
      expect(await ended).toMatch(/aborted|closed/);
      expect(listeners(cancelled.signal)).toBe(0);
      expect(open).toBeDefined();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a reader that holds the answer back longer than the body timeout still gets all of it: only the server's silence counts", async () => {
    const size = 8 * 1024 * 1024;
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(Buffer.alloc(size, 1));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port: serverPort } = server.address() as AddressInfo;
      const answer = await createGuardedRequest({ allowedHosts: "127.0.0.1" })(`http://127.0.0.1:${serverPort}/big`, init({ bodyTimeoutMs: 200 }));
      const source = answer.takeSource();
      if (!source) throw new Error("no body");
      const received = await new Promise<number>((resolve, reject) => {
        let bytes = 0;
        let held = false;
        source.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (held) return;
          held = true;
          source.pause();
          setTimeout(() => { source.resume(); }, 800);
        });
        source.on("end", () => { resolve(bytes); });
        source.on("error", reject);
      });
      expect(received).toBe(size);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
