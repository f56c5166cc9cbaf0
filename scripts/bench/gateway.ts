// Section c of the bench: the MCP gateway `/mcp/{server_identifier}` against the one-hop floor.
//   1. tools/call latency on kept-open sessions, interleaved, in one run: direct (SDK client → the
//      upstream server), through a bare relay (bare-relay.ts: swap Authorization, pipe the bytes),
//      through the least a gateway could do (floor-gateway.ts) and through the gateway of a
//      production console (server.mjs, SQLite) — same server, same user.
//   2. 100 concurrent sessions of several users across two console instances on one PostgreSQL
//      database: each session initializes on one instance and half of them continue on the other,
//      request by request; errors and calls/s, beside two bare relays and direct for the same sessions.
// The upstream is the test whoami server in a process of its own; identity forwarding is on, so every
// call carries the user's own token from the test IdP and every answer names its caller.
import os from "node:os";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { z } from "zod";
import { ssoLogin } from "../../e2e/support/sso-login";
import { OIDC_CLIENT } from "../../e2e/support/identity-stack";
import { startTestIdp } from "../../e2e/support/test-idp";
import { DURATION, baseEnv, cpuMs, fmt, freshPostgres, seed, sqliteUrl, startBareRelay, startConsole, startFloorGateway, startUpstream, stats, time, unusedPort, type Stats } from "./support";

const SESSIONS = 100;
const USERS = 20;
const INSTANCES = 2;
/** Sequential calls per side for the latency figures: enough for a p99 that is not one outlier. */
export const LATENCY_CALLS = Math.max(200, Math.min(2000, DURATION * 100));
const CALL_TIMEOUT_MS = 15_000;

const whoamiAnswer = z.object({ content: z.array(z.object({ text: z.string().optional() })) });

/** An MCP client of `urls[0]` whose requests after the first go round the given URLs' origins, as a load balancer would spread them. */
export async function connectClient(urls: string[], authorization: string) {
  let sent = 0;
  const routed: FetchLike = (url, init) => {
    const target = new URL(String(url));
    const origin = new URL(urls[sent++ % urls.length]);
    target.host = origin.host;
    return fetch(target, init);
  };
  const client = new Client({ name: "bench", version: "1" });
  const transport = new StreamableHTTPClientTransport(new URL(urls[0]), { requestInit: { headers: { authorization } }, fetch: routed });
  await client.connect(transport);
  return {
    call: async (expected: string) => {
      const out = whoamiAnswer.parse(await client.callTool({ name: "whoami", arguments: {} }, undefined, { timeout: CALL_TIMEOUT_MS }));
      if (out.content[0]?.text !== expected) throw new Error(`a call of ${expected} was answered as ${JSON.stringify(out.content)}`);
    },
    close: async () => {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}

export type Latency = { direct: Stats; relay: Stats; floor: Stats; gateway: Stats; cpuPerCall: { gateway: number; relay: number; floor: number }; issuerCalls: number };

async function measureLatency(options: { gatewayUrl: string; relayUrl: string; floorUrl: string; directUrl: string; apiToken: string; upstreamToken: string; sub: string; pids: { gateway?: number; relay?: number; floor?: number } }) {
  const sides = {
    gateway: await connectClient([options.gatewayUrl], `Bearer ${options.apiToken}`),
    relay: await connectClient([options.relayUrl], `Bearer ${options.apiToken}`),
    floor: await connectClient([options.floorUrl], `Bearer ${options.apiToken}`),
    direct: await connectClient([options.directUrl], options.upstreamToken),
  };
  const order = ["direct", "relay", "floor", "gateway"] as const;
  for (let i = 0; i < 50; i++) for (const side of order) await sides[side].call(options.sub);
  const samples = { direct: [] as number[], relay: [] as number[], floor: [] as number[], gateway: [] as number[] };
  const hops = ["gateway", "relay", "floor"] as const;
  const cpu = () => Object.fromEntries(hops.map((hop) => [hop, cpuMs(options.pids[hop])])) as Record<(typeof hops)[number], number>;
  const cpuBefore = cpu();
  // Interleaved, each side first in turn, so drift in machine load and position hit all sides alike.
  for (let i = 0; i < LATENCY_CALLS; i++) {
    for (let k = 0; k < order.length; k++) {
      const side = order[(i + k) % order.length];
      samples[side].push(await time(() => sides[side].call(options.sub)));
    }
  }
  // What each hop's own process spent per call: the gateway's work beside the floor's, whatever the machine's load.
  const cpuAfter = cpu();
  const cpuPerCall = Object.fromEntries(hops.map((hop) => [hop, (cpuAfter[hop] - cpuBefore[hop]) / LATENCY_CALLS])) as Record<(typeof hops)[number], number>;
  for (const side of order) await sides[side].close();
  return { direct: stats(samples.direct), relay: stats(samples.relay), floor: stats(samples.floor), gateway: stats(samples.gateway), cpuPerCall };
}

export type Throughput = { sessions: number; continuing: number; calls: number; errors: number; lostSessions: number; seconds: number; callsPerSecond: number; latency: Stats; failures: string[] };

export type SessionPlan = { user: number; urls: string[] };

/** Session i belongs to user i mod USERS and starts on instance i mod 2; every other pair of sessions moves to the other instance on each request. */
function plan(instanceUrls: string[]): SessionPlan[] {
  return Array.from({ length: SESSIONS }, (_, i) => {
    const home = i % instanceUrls.length;
    const continuesElsewhere = Math.floor(i / instanceUrls.length) % 2 === 1;
    const urls = continuesElsewhere ? [...instanceUrls.slice(home), ...instanceUrls.slice(0, home)] : [instanceUrls[home]];
    return { user: i % USERS, urls };
  });
}

/** Opens every session, warms each up, then keeps one call in flight per session for DURATION seconds. */
export async function crowd(sessions: SessionPlan[], authorizationOf: (user: number) => string, subOf: (user: number) => string): Promise<Throughput> {
  const failures: string[] = [];
  const clients = await Promise.all(sessions.map((session) => connectClient(session.urls, authorizationOf(session.user))));
  await Promise.all(clients.map(async (client, i) => {
    for (let call = 0; call < 3; call++) await client.call(subOf(sessions[i].user));
  }));
  const samples: number[] = [];
  let errors = 0;
  let lostSessions = 0;
  const started = performance.now();
  const deadline = started + DURATION * 1000;
  await Promise.all(clients.map(async (client, i) => {
    let errorsInARow = 0;
    while (performance.now() < deadline) {
      const callStarted = performance.now();
      try {
        await client.call(subOf(sessions[i].user));
        samples.push(performance.now() - callStarted);
        errorsInARow = 0;
      } catch (error) {
        errors++;
        if (failures.length < 3) failures.push(error instanceof Error ? error.message : String(error));
        // A session that keeps failing is lost; stop it rather than spin.
        if (++errorsInARow === 5) {
          lostSessions++;
          return;
        }
      }
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((client) => client.close()));
  return {
    sessions: sessions.length,
    continuing: sessions.filter((session) => session.urls.length > 1).length,
    calls: samples.length,
    errors,
    lostSessions,
    seconds,
    callsPerSecond: samples.length / seconds,
    latency: stats(samples.length ? samples : [Number.NaN]),
    failures,
  };
}

export type GatewayFigures = { latency: Latency; crowd: { users: number; instances: number; gateway: Throughput; relay: Throughput; direct: Throughput; issuerCalls: number } };

export const BENCH_USER = { sub: "bench-user", email: "bench-sso@example.com", name: "Bench", password: "x" };

type IdpUser = { sub: string; email: string; name: string; password: string };

/**
 * What the gateway sections stand on: the test IdP (for consoles at `consoleUrls`), the whoami
 * server trusting it in a process of its own, the consoles' enterprise settings, and signing users in.
 */
export async function startWhoamiStack(consoleUrls: string[], users: IdpUser[]) {
  const idp = await startTestIdp({
    users,
    clients: [{ ...OIDC_CLIENT, redirect_uris: consoleUrls.map((url) => `${url}/api/auth/callback/oidc`) }],
    resources: [],
    accessTokenTtlSeconds: 3600, // outlives the run: no refresh in the middle of a measurement
  });
  const upstream = await startUpstream(idp.issuer);
  idp.allowResources([upstream.url]);
  const enterprise = { ENTERPRISE_ENABLED: "true", OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: OIDC_CLIENT.client_id, OIDC_CLIENT_SECRET: OIDC_CLIENT.client_secret };
  // Each user's refresh token is stored in one database only: a rotating IdP revokes one spent twice.
  const signIn = async (signingIn: { sub: string; email: string }[]) => {
    const signedIn = [];
    for (const user of signingIn) {
      const { refresh_token } = await ssoLogin({ issuer: idp.issuer, clientId: OIDC_CLIENT.client_id, clientSecret: OIDC_CLIENT.client_secret, redirectUri: `${consoleUrls[0]}/api/auth/callback/oidc`, loginHint: user.sub });
      signedIn.push({ sub: user.sub, email: user.email, refreshToken: refresh_token });
    }
    return JSON.stringify(signedIn);
  };
  return {
    idp,
    upstream,
    enterprise,
    signIn,
    stop: async () => {
      await upstream.stop();
      await idp.stop();
    },
  };
}

type WhoamiStack = Awaited<ReturnType<typeof startWhoamiStack>>;

/** Latency on kept-open sessions: direct, the bare relay and the gateway of one console on `port`, as the bench user. */
async function singleConsoleLatency(stack: WhoamiStack, port: number, progress: (line: string) => void): Promise<Latency> {
  const { idp, upstream } = stack;
  const env = baseEnv(sqliteUrl("gateway.db"), port, stack.enterprise);
  const [apiToken] = seed(env, ["tool", idp.issuer, upstream.url, await stack.signIn([BENCH_USER])]).tokens ?? [];
  const single = await startConsole(port, env);
  const gatewayUrl = `http://127.0.0.1:${port}/mcp/whoami`;
  const first = await connectClient([gatewayUrl], `Bearer ${apiToken}`);
  await first.call(BENCH_USER.sub); // the console mints the user's token and caches it
  await first.close();
  const upstreamToken = (await upstream.tokensBySubject())[BENCH_USER.sub];
  if (!upstreamToken) throw new Error("the console called the upstream server without the user's token");
  const relay = await startBareRelay(upstream.url, { [`Bearer ${apiToken}`]: upstreamToken });
  const floor = await startFloorGateway(upstream.url, { apiToken, upstreamAuthorization: upstreamToken, database: sqliteUrl("floor.db").slice("file:".length) });
  const grantsBefore = idp.refreshGrants();
  progress(`  latency: ${LATENCY_CALLS} calls each, interleaved…`);
  const latency = { ...(await measureLatency({ gatewayUrl, relayUrl: relay.url, floorUrl: floor.url, directUrl: upstream.url, apiToken, upstreamToken, sub: BENCH_USER.sub, pids: { gateway: single.child.pid, relay: relay.child.pid, floor: floor.child.pid } })), issuerCalls: idp.refreshGrants() - grantsBefore };
  await relay.stop();
  await floor.stop();
  await single.stop();
  const over = (side: Stats, base: Stats) => fmt(side.p50 / base.p50, 2);
  progress(`  p50: direct ${fmt(latency.direct.p50, 2)} ms | bare relay ${fmt(latency.relay.p50, 2)} ms | floor gateway ${fmt(latency.floor.p50, 2)} ms | gateway ${fmt(latency.gateway.p50, 2)} ms`);
  progress(`  gateway/relay ${over(latency.gateway, latency.relay)}× gateway/direct ${over(latency.gateway, latency.direct)}× | floor/relay ${over(latency.floor, latency.relay)}× floor/direct ${over(latency.floor, latency.direct)}× | relay/direct ${over(latency.relay, latency.direct)}×`);
  progress(`  CPU per call: gateway ${fmt(latency.cpuPerCall.gateway, 2)} ms, floor gateway ${fmt(latency.cpuPerCall.floor, 2)} ms, bare relay ${fmt(latency.cpuPerCall.relay, 2)} ms`);
  return latency;
}

/** Section c's latency alone (`--only gateway-latency`): printed, docs/performance.md left as it is. */
export async function benchGatewayLatency(progress: (line: string) => void = console.log): Promise<Latency> {
  const port = await unusedPort();
  const stack = await startWhoamiStack([`http://127.0.0.1:${port}`], [BENCH_USER]);
  try {
    return await singleConsoleLatency(stack, port, progress);
  } finally {
    await stack.stop();
  }
}

export async function benchGateway(progress: (line: string) => void = console.log): Promise<GatewayFigures> {
  const singlePort = await unusedPort();
  const instancePorts = [await unusedPort(), await unusedPort()];
  const consoleUrls = [singlePort, ...instancePorts].map((port) => `http://127.0.0.1:${port}`);
  const crowdUsers = Array.from({ length: USERS }, (_, i) => ({ sub: `crowd-${i}`, email: `crowd-${i}@example.com`, name: `Crowd ${i}`, password: "x" }));
  const stack = await startWhoamiStack(consoleUrls, [BENCH_USER, ...crowdUsers]);
  const { idp, upstream, enterprise, signIn, stop } = stack;
  try {
    // 1. Latency, one user, one console.
    const latency = await singleConsoleLatency(stack, singlePort, progress);

    // 2. 100 sessions of USERS users across two instances on one PostgreSQL database.
    const database = await freshPostgres();
    try {
      const envs = instancePorts.map((port) => baseEnv(database.url, port, enterprise));
      const tokens = seed(envs[0], ["tool", idp.issuer, upstream.url, await signIn(crowdUsers)]).tokens ?? [];
      const instances = await Promise.all(instancePorts.map((port, i) => startConsole(port, envs[i])));
      const subOf = (user: number) => crowdUsers[user].sub;
      const crowdGrantsBefore = idp.refreshGrants();
      progress(`  ${SESSIONS} sessions of ${USERS} users across ${INSTANCES} instances on PostgreSQL, ${DURATION} s each side…`);
      const gateway = await crowd(plan(consoleUrls.slice(1).map((url) => `${url}/mcp/whoami`)), (user) => `Bearer ${tokens[user]}`, subOf);
      const issuerCalls = idp.refreshGrants() - crowdGrantsBefore;
      await Promise.all(instances.map((instance) => instance.stop()));
      const upstreamTokens = await upstream.tokensBySubject();
      const upstreamOf = (user: number) => {
        const token = upstreamTokens[subOf(user)];
        if (!token) throw new Error(`the gateway never called the upstream server as ${subOf(user)}`);
        return token;
      };
      const relays = await Promise.all(instancePorts.map(() => startBareRelay(upstream.url, Object.fromEntries(tokens.map((token, user) => [`Bearer ${token}`, upstreamOf(user)])))));
      const viaRelays = await crowd(plan(relays.map((r) => r.url)), (user) => `Bearer ${tokens[user]}`, subOf);
      await Promise.all(relays.map((r) => r.stop()));
      const direct = await crowd(plan([upstream.url]), upstreamOf, subOf);
      for (const [name, figures] of [["gateway", gateway], ["bare relays", viaRelays], ["direct", direct]] as const) {
        progress(`  ${name}: ${figures.calls} calls, ${figures.errors} errors, ${fmt(figures.callsPerSecond, 0)} calls/s, p50 ${fmt(figures.latency.p50, 1)} ms p99 ${fmt(figures.latency.p99, 1)} ms`);
        for (const failure of figures.failures) progress(`    failure: ${failure}`);
      }
      return { latency, crowd: { users: USERS, instances: INSTANCES, gateway, relay: viaRelays, direct, issuerCalls } };
    } finally {
      await database.drop();
    }
  } finally {
    await stop();
  }
}

/** Section c of docs/performance.md. */
export function gatewaySection(figures: GatewayFigures) {
  const { latency, crowd: many } = figures;
  const overRelay = latency.gateway.p50 / latency.relay.p50;
  const overDirect = latency.gateway.p50 / latency.direct.p50;
  const relayOverDirect = latency.relay.p50 / latency.direct.p50;
  const floorOverRelay = latency.floor.p50 / latency.relay.p50;
  const floorOverDirect = latency.floor.p50 / latency.direct.p50;
  const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
  const row = (name: string, s: Stats) => `| ${name} | ${fmt(s.p50, 2)} ms | ${fmt(s.p99, 2)} ms | ${fmt(s.mean, 2)} ms |`;
  const crowdRow = (name: string, t: Throughput) => `| ${name} | ${t.calls} | **${t.errors}** | ${t.lostSessions} | **${fmt(t.callsPerSecond, 0)}** | ${fmt(t.latency.p50, 1)} ms | ${fmt(t.latency.p99, 1)} ms |`;
  return `## c. The MCP gateway

### Latency: \`tools/call\` on a kept-open session

\`whoami\` on the test MCP server (its own process), called ${latency.direct.count} times on each of four
sessions kept open, interleaved (each side first in turn) in the same run, as the same user with the
same upstream token:
- **direct**: an SDK client straight to the server;
- **bare relay** — the floor of one proxy hop: \`scripts/bench/bare-relay.ts\`, a \`node:http\` process
  that swaps \`Authorization\` (the caller's API token for the user's upstream token) and pipes the
  bytes both ways as they stream; no MCP, authentication, database, policy or activity log;
- **floor gateway** — the least a gateway could cost: \`scripts/bench/floor-gateway.ts\`, the bare relay
  plus only what SPEC §8 makes any design do on a call, each in its cheapest form with everything
  cacheable in memory: the token's hash looked up, the envelope read (the console's own reader) and
  held to the methods and the turned-off tools, the sealed session opened (AES-GCM), the user's token
  put in, the answer's events read for the outcome, the activity record batched to SQLite off the
  call's path; no Next.js, database read, tracing, metrics or log line;
- **gateway**: an SDK client of \`/mcp/whoami\` on a production console (\`server.mjs\`, SQLite) with an
  API token, identity forwarding on (the user's token already cached).

| | p50 | p99 | mean |
|---|---:|---:|---:|
${row("direct", latency.direct)}
${row("bare relay", latency.relay)}
${row("floor gateway", latency.floor)}
${row("gateway", latency.gateway)}

- Gateway / bare relay at p50: **${fmt(overRelay, 2)}×** (target ≤ 1.3×) — ${verdict(overRelay <= 1.3)}.
- Gateway / direct at p50: **${fmt(overDirect, 2)}×** (target ≤ 1.5×) — ${verdict(overDirect <= 1.5)}. The hop alone (bare relay / direct) is ${fmt(relayOverDirect, 2)}×.
- The floor gateway: ${fmt(floorOverRelay, 2)}× the relay, ${fmt(floorOverDirect, 2)}× direct — ${floorOverRelay > 1.3 || floorOverDirect > 1.5 ? "a target below what any gateway could reach on this machine" : "both targets within reach of a gateway on this machine"}. The gateway is ${fmt(latency.gateway.p50 / latency.floor.p50, 2)}× the floor.
- At p99: gateway ${fmt(latency.gateway.p99 / latency.relay.p99, 2)}× the relay, ${fmt(latency.gateway.p99 / latency.direct.p99, 2)}× direct.
- CPU each hop's process spent per call (from \`/proc\`, so the machine's load doesn't move it much): gateway **${fmt(latency.cpuPerCall.gateway, 2)} ms**, floor gateway ${fmt(latency.cpuPerCall.floor, 2)} ms, bare relay ${fmt(latency.cpuPerCall.relay, 2)} ms.
- Issuer calls during the measured gateway calls: **${latency.issuerCalls}** (target 0: the token is cached) — ${verdict(latency.issuerCalls === 0)}.

### ${many.gateway.sessions} concurrent sessions across ${many.instances} instances on PostgreSQL

Two consoles (\`server.mjs\`) on one PostgreSQL database; ${many.gateway.sessions} MCP sessions of ${many.users} users (each its
own API token and, upstream, its own token), spread evenly over both instances. Each session
initializes on one instance; ${many.gateway.continuing} of them then send each request to the other instance in turn (the
session id one instance hands out must be honoured by the other). After a warm-up, every session
keeps one \`tools/call\` in flight for ${DURATION} s and checks that the answer names its own user (calls/s over the
time until the last call in flight has returned). The same ${many.gateway.sessions} sessions, routed the same way, then
go through two bare relays, then straight to the server.

| | calls | errors | sessions lost | calls/s | p50 | p99 |
|---|---:|---:|---:|---:|---:|---:|
${crowdRow(`gateway (${many.instances} instances)`, many.gateway)}
${crowdRow(`bare relay (${many.instances} processes)`, many.relay)}
${crowdRow("direct", many.direct)}

- Errors through the gateway: **${many.gateway.errors}** (target 0) — ${verdict(many.gateway.errors === 0 && many.gateway.lostSessions === 0)}.
- Gateway throughput: **${fmt(many.gateway.callsPerSecond / many.relay.callsPerSecond, 2)}×** the bare relays'. Everything — the load generator, the server, the
  consoles, PostgreSQL — shares this machine's ${os.cpus().length} cores, so these are the machine's totals, not one instance's capacity.
- Issuer calls during the ${many.gateway.sessions} sessions: **${many.issuerCalls}** (at most one per user per instance: ≤ ${many.users * many.instances}) — ${verdict(many.issuerCalls <= many.users * many.instances)}.
${many.gateway.failures.length ? `\nFirst failures through the gateway:\n${many.gateway.failures.map((failure) => `- \`${failure.replaceAll("`", "'")}\``).join("\n")}\n` : ""}`;
}
