// Every outbound request to an MCP server goes through here. The address is checked when the
// socket connects — after DNS resolution, on the very address used — so a name that resolves to a
// public address when checked and to 127.0.0.1 a moment later (DNS rebinding) still can't reach
// the console's network. Each connection is judged on its own host and port (an allowance for
// "host:8080" never opens the same host's other ports). Redirects are refused outright.
import "server-only";
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { Readable } from "node:stream";
import { Agent, buildConnector, fetch as undiciFetch } from "undici";
import { setBounded } from "@/lib/bounded-map";
import { env } from "@/lib/env";
import { stripBrackets } from "@/lib/edge/ip.mjs";
import { NodeHeaders, webStreamOf } from "@/lib/node-streams";
import { addressAllowed, hostAllowed, parseAllowList, type AllowList } from "@/lib/mcp/address-policy";

export class BlockedDestinationError extends Error {
  readonly code = "BLOCKED_DESTINATION";
}

type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** A lookup that hands the socket only addresses `usable` accepts. */
function lookupWith(resolve: Resolver, usable: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const allowed = addresses.filter((entry) => usable(entry.address));
        if (allowed.length === 0) {
          callback(new BlockedDestinationError(`${hostname} resolves to an address the console may not connect to`), "", 4);
          return;
        }
        if ((options as { all?: boolean }).all) callback(null, allowed, 0);
        else callback(null, allowed[0].address, allowed[0].family);
      },
      (error: unknown) => {
        callback(error instanceof Error ? error : new Error(String(error)), "", 4);
      },
    );
  };
}

/**
 * How a connection to `host:port` may be made: refused (an IP literal the policy doesn't allow:
 * it never reaches a lookup), with any address its name resolves to (the host is listed), or with
 * only the addresses the policy allows — decided on the addresses the socket will use.
 */
function reach(allow: AllowList, hostname: string, port: string): "any" | "policy" | BlockedDestinationError {
  const host = stripBrackets(hostname);
  const listed = hostAllowed(allow, host, port);
  if (isIP(host) && !listed && !addressAllowed(allow, host)) return new BlockedDestinationError(`${host} is not an address the console may connect to`);
  return listed ? "any" : "policy";
}

const defaultPort = (protocol: string) => (protocol === "https:" ? "443" : "80");

function guardedLookups(allow: AllowList, resolve: Resolver): Record<"any" | "policy", LookupFunction> {
  return { any: lookupWith(resolve, () => true), policy: lookupWith(resolve, (address) => addressAllowed(allow, address)) };
}

function guardedConnector(allow: AllowList, resolve: Resolver): buildConnector.connector {
  const lookups = guardedLookups(allow, resolve);
  const connectors = { any: buildConnector({ lookup: lookups.any }), policy: buildConnector({ lookup: lookups.policy }) };
  return (options, callback) => {
    const way = reach(allow, options.hostname, options.port || defaultPort(options.protocol));
    if (way instanceof BlockedDestinationError) {
      callback(way, null);
      return;
    }
    connectors[way](options, callback);
  };
}

function guardedAgent(options: { allowedHosts?: string; resolve?: Resolver }): Agent {
  return new Agent({ connect: guardedConnector(parseAllowList(options.allowedHosts), options.resolve ?? systemResolver) });
}

function httpUrl(input: RequestInfo | URL): URL {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new BlockedDestinationError(`${url.protocol} URLs are not allowed`);
  return url;
}

/** A fetch that only connects where the policy allows. `resolve` is injectable for tests. */
export function createGuardedFetch(options: { allowedHosts?: string; resolve?: Resolver } = {}): typeof fetch {
  return fetchThrough(guardedAgent(options));
}

function fetchThrough(agent: Agent): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = httpUrl(input);
    // undici's fetch is the one Node's own is built on; its types are declared apart from the global ones.
    return undiciFetch(url, { ...(init as object), redirect: "error", dispatcher: agent }) as unknown as Promise<Response>;
  };
}

let shared: { key: string; fetch: typeof fetch; request: GuardedRequest } | undefined;

function sharedAgent() {
  const key = env().MCP_ALLOWED_HOSTS ?? "";
  if (!shared || shared.key !== key) shared = { key, fetch: fetchThrough(guardedAgent({ allowedHosts: key })), request: createGuardedRequest({ allowedHosts: key }) };
  return shared;
}

/** The process's guarded fetch, following MCP_ALLOWED_HOSTS. */
export const outboundFetch: typeof fetch = (input, init) => sharedAgent().fetch(input, init);

const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * A server's answer as it arrives: its body still Node's stream, which a consumer in Node may read
 * as it is (takeSource: the gateway's relay writes an event stream straight to the client), or
 * as a web Response when that is what a consumer needs. A web stream costs a relayed call dearly.
 */
export class UpstreamAnswer {
  private made: Response | undefined;

  constructor(
    readonly status: number,
    // Node's as they came (read in place), or a web Headers.
    private readonly raw: NodeHeaders | Headers,
    private source: Readable | undefined,
  ) {
    // An error before its reader comes must not end the process: the reader finds the stream destroyed.
    source?.on("error", () => undefined);
  }

  /** An answer that already is a web Response. */
  static of(response: Response): UpstreamAnswer {
    const answer = new UpstreamAnswer(response.status, response.headers, undefined);
    answer.made = response;
    return answer;
  }

  /** One header, as Headers.get gives it (a relayed call reads a few; making a Headers of them all costs more). */
  header(name: string): string | null {
    return this.raw.get(name);
  }

  get headers(): Headers {
    return this.raw instanceof Headers ? this.raw : this.raw.web();
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The body as Node's stream, for its one reader; undefined once the answer was made a Response. */
  takeSource(): Readable | undefined {
    const source = this.made ? undefined : this.source;
    this.source = undefined;
    return source;
  }

  response(): Response {
    this.made ??= new Response(this.source ? webStreamOf(this.source, "destroy") : null, { status: this.status, headers: this.headers });
    return this.made;
  }

  /** Not to be read: its connection is let go. */
  async discard(): Promise<void> {
    if (this.made) await this.made.body?.cancel().catch(() => undefined);
    else this.source?.destroy(); // its error is heard (the constructor's listener)
    this.source = undefined;
  }
}

/** `headers`: lower-case names. */
export type OutboundInit = { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal; headersTimeoutMs: number; bodyTimeoutMs: number };
export type GuardedRequest = (url: string, init: OutboundInit) => Promise<UpstreamAnswer>;

/** The error a cancelled request fails with, as Node's own is (read by lib/timeouts.ts and lib/mcp/client.ts). */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error("The operation was aborted", { cause: signal.reason }), { name: "AbortError", code: "ABORT_ERR" });
}

/** A request that waited longer than it may: read as a timeout (lib/timeouts.ts). */
function timedOut(what: string): Error {
  const error = new Error(`the server ${what}`);
  error.name = "TimeoutError";
  return error;
}

// As undici's defaults were: a connection not made in 10 s is given up on (a server's own timeout
// may be minutes), and a kept-alive socket idle for 4 s is closed before a server closes it under a
// request (sooner when the server's Keep-Alive says so).
const CONNECT_TIMEOUT_MS = 10_000;
const MAX_DESTINATIONS = 1000;
const IDLE_SOCKET_MS = 4_000;

/**
 * One request through the same guard, for the gateway's relay, over node:http (a little cheaper on
 * the relay's hot path than undici's request API: docs/performance.md §c): the body goes whole,
 * with its length, and the answer's body streams as it arrives. Redirects are not followed;
 * `headersTimeoutMs` bounds the wait for an answer to begin, `bodyTimeoutMs` any silence of the
 * server's within it (0: none) — not the time its reader holds it back. `resolve` and the two timeouts are injectable for tests.
 */
export function createGuardedRequest(options: { allowedHosts?: string; resolve?: Resolver; connectTimeoutMs?: number; idleSocketMs?: number } = {}): GuardedRequest {
  const { connectTimeoutMs = CONNECT_TIMEOUT_MS, idleSocketMs = IDLE_SOCKET_MS } = options;
  const allow = parseAllowList(options.allowedHosts);
  const lookups = guardedLookups(allow, options.resolve ?? systemResolver);
  const agents = { "http:": new http.Agent({ keepAlive: true, timeout: idleSocketMs }), "https:": new https.Agent({ keepAlive: true, timeout: idleSocketMs }) };
  // Each provider's URL is parsed and judged once: the relay sends to the same few on every call.
  type Destination = { protocol: "http:" | "https:"; hostname: string; port: string; path: string; way: "any" | "policy" };
  const destinations = new Map<string, Destination>();
  const destinationOf = (url: string): Destination => {
    let known = destinations.get(url);
    if (!known) {
      const target = httpUrl(url);
      const port = target.port || defaultPort(target.protocol);
      const way = reach(allow, target.hostname, port);
      if (way instanceof BlockedDestinationError) throw way;
      known = { protocol: target.protocol === "https:" ? "https:" : "http:", hostname: stripBrackets(target.hostname), port, path: `${target.pathname}${target.search}`, way };
      setBounded(destinations, url, known, MAX_DESTINATIONS);
    }
    return known;
  };
  return async (url, init) => {
    const { protocol, hostname, port, path, way } = destinationOf(url);
    // Node would still open a connection for a request whose signal was already aborted.
    if (init.signal.aborted) throw abortError(init.signal);
    const headers = init.body === undefined ? init.headers : { ...init.headers, "content-length": String(Buffer.byteLength(init.body)) };
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(waiting);
        reject(error);
      };
      const request = (protocol === "https:" ? https : http).request({
        agent: agents[protocol],
        lookup: lookups[way],
        hostname,
        port,
        path,
        method: init.method,
        headers,
      });
      // Heard by one listener of our own: Node's `signal` option also watches the request's end with a stream helper of its own, on every call.
      const abort = () => { request.destroy(abortError(init.signal)); };
      init.signal.addEventListener("abort", abort, { once: true });
      const waiting = init.headersTimeoutMs > 0 ? setTimeout(() => { request.destroy(timedOut("did not begin to answer in time")); }, init.headersTimeoutMs) : undefined;
      request.on("socket", (socket) => {
        if (!socket.connecting) return;
        const connecting = setTimeout(() => { request.destroy(Object.assign(new Error(`connect timed out after ${connectTimeoutMs / 1000} s`), { code: "ETIMEDOUT" })); }, connectTimeoutMs);
        socket.once("connect", () => { clearTimeout(connecting); });
        request.once("close", () => { clearTimeout(connecting); });
      });
      request.on("error", fail);
      // A server that switches protocols (101) has left HTTP: Node would leave the request unanswered.
      request.on("upgrade", (_answer, socket) => {
        socket.destroy();
        fail(new Error("the server switched protocols (HTTP 101), which MCP doesn't use"));
      });
      request.on("close", () => {
        init.signal.removeEventListener("abort", abort);
        fail(new Error("the connection closed before the server answered"));
      });
      request.on("response", (answer) => {
        if (settled) return void answer.destroy();
        settled = true;
        clearTimeout(waiting);
        const status = answer.statusCode ?? 502;
        const answerHeaders = new NodeHeaders(answer.headers);
        if (NO_BODY.has(status)) {
          answer.resume();
          resolve(new UpstreamAnswer(status, answerHeaders, undefined));
          return;
        }
        if (init.bodyTimeoutMs > 0) {
          // The socket's idle timer also runs while the reader holds the body back (paused), and
          // until the reader's resume reaches the socket: that is not the server's silence.
          let resumedAt = 0;
          answer.on("resume", () => { resumedAt = performance.now(); });
          const quiet = () => {
            const sinceResume = performance.now() - resumedAt;
            if (answer.isPaused() || sinceResume < init.bodyTimeoutMs) answer.setTimeout(answer.isPaused() ? init.bodyTimeoutMs : init.bodyTimeoutMs - sinceResume);
            else answer.destroy(timedOut("went quiet in the middle of its answer"));
          };
          answer.setTimeout(init.bodyTimeoutMs, quiet);
        }
        resolve(new UpstreamAnswer(status, answerHeaders, answer));
      });
      request.end(init.body);
    });
  };
}

/** The process's guarded request for the relay, following MCP_ALLOWED_HOSTS. */
export const outboundRequest: GuardedRequest = (url, init) => sharedAgent().request(url, init);
