// The official conformance suites' client `auth/*` scenarios — scored, drafts and extensions —
// run against the console's upstream OAuth client (scripts/conformance/client.ts). Both installed
// suites run: 0.1.16 once per scenario; 0.2.0-alpha.12 once per wire revision a scenario applies to
// (its requirement sets run a scenario "at this revision's wire", so 2025-11-25 and 2026-07-28 are
// separate runs), extensions at both.
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const loader = path.join(root, "scripts/conformance/node20.mjs");
// The client command, bundled once per run (packages stay external): each scenario then starts
// plain node on one file instead of compiling the console's modules again.
const bundle = path.join(root, "node_modules/.cache/mcp-conformance/client.mjs");
const command = `${process.execPath} --conditions=react-server ${bundle}`;

export const SUITES = {
  "0.1.16": path.join(root, "node_modules/@modelcontextprotocol/conformance/dist/index.js"),
  "0.2.0-alpha.12": path.join(root, "node_modules/@modelcontextprotocol/conformance-next/dist/index.js"),
} as const;
export type Suite = keyof typeof SUITES;

/** Wire revisions alpha.12 can run a client scenario at. */
const WIRES = ["2025-11-25", "2026-07-28"] as const;

/** "scored": tagged with a released revision; "draft": a draft (0.1.16) or 2026-07-28-only scenario; "extension": an extension's. */
export type ScenarioKind = "scored" | "draft" | "extension";

export type ClientRun = { suite: Suite; scenario: string; kind: ScenarioKind; wire?: string };
export type ClientResult = ClientRun & { passed: number; total: number; failed: number; warnings: number; ok: boolean; output: string };

let consoleEnv: Record<string, string> | undefined;

/**
 * What the console run by the client command is configured with (and the command built): a
 * migrated SQLite database each run copies (made once here, with the real Prisma CLI), its own secrets, the suite's servers
 * (on localhost) allowed, and the Client ID Metadata Document URL the suite's authorization server
 * expects (a console publishes its document where OAUTH_CLIENT_METADATA_URL says).
 */
function consoleEnvironment(): Record<string, string> {
  if (consoleEnv) return consoleEnv;
  const template = path.join(mkdtempSync(path.join(tmpdir(), "mcp-conformance-template-")), "console.db");
  execFileSync(path.join(root, "node_modules/.bin/prisma"), ["migrate", "deploy"], { cwd: root, env: { ...process.env, DATABASE_URL: `file:${template}` }, stdio: "pipe" });
  const esbuild = path.join(root, "node_modules/.bin/esbuild");
  execFileSync(esbuild, [path.join(root, "scripts/conformance/client.ts"), "--bundle", "--platform=node", "--format=esm", "--packages=external", "--alias:next/server=next/server.js", `--outfile=${bundle}`, "--log-level=warning"], { cwd: root, stdio: "pipe" });
  consoleEnv = {
    CONFORMANCE_DB_TEMPLATE: template,
    NEXTAUTH_URL: "http://127.0.0.1:3000",
    NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    MCP_ALLOWED_HOSTS: "localhost, 127.0.0.1, ::1",
    OAUTH_CLIENT_METADATA_URL: "https://conformance-test.local/client-metadata.json",
    LOG_LEVEL: "warn",
  };
  return consoleEnv;
}

// How long the suite waits for the client command. Its default, 30 s, leaves little room: the
// command starts the console's code in a node of its own, three runs at a time, and with this
// two-core machine's cores kept busy the 75 runs took 267 s instead of 100. A wait that runs out
// says the machine was busy, not that the client failed.
const SCENARIO_TIMEOUT_MS = 120_000;

async function conformance(suite: Suite, args: string[], withConsole = false) {
  const { DATABASE_URL: _unused, ...inherited } = process.env;
  const env = withConsole ? { ...inherited, ...consoleEnvironment() } : process.env;
  try {
    return await run(process.execPath, ["--import", loader, SUITES[suite], ...args], { cwd: root, env, maxBuffer: 32 * 1024 * 1024, timeout: SCENARIO_TIMEOUT_MS + 60_000 });
  } catch (error) {
    // A failed scenario exits non-zero; its output is still the report.
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    return { stdout, stderr };
  }
}

function kindOf(tags: string[]): ScenarioKind {
  if (tags.includes("extension")) return "extension";
  if (tags.includes("draft") || tags.every((tag) => tag === "2026-07-28")) return "draft";
  return "scored";
}

/** Every `auth/*` client scenario a suite lists, with the runs it takes. */
export async function authRuns(suite: Suite): Promise<ClientRun[]> {
  const { stdout } = await conformance(suite, ["list"]);
  const client = stdout.slice(stdout.indexOf("Client scenarios"));
  const listed = [...client.matchAll(/^\s+- (auth\/[\w.-]+) \[([^\]]+)\]$/gm)].map(([, scenario, tags]) => ({ scenario, tags: tags.split(",") }));
  return listed.flatMap(({ scenario, tags }): ClientRun[] => {
    const kind = kindOf(tags);
    if (suite === "0.1.16") return [{ suite, scenario, kind }];
    const wires = kind === "extension" ? [...WIRES] : WIRES.filter((wire) => tags.includes(wire));
    // Scenarios of a revision before 2025-11-25 (back-compat) run at the suite's default wire.
    if (wires.length === 0) return [{ suite, scenario, kind }];
    return wires.map((wire) => ({ suite, scenario, kind, wire }));
  });
}

export function runLabel(run: ClientRun): string {
  return `${run.suite} ${run.scenario}${run.wire ? ` @${run.wire}` : ""}`;
}

export async function runClientScenario(clientRun: ClientRun): Promise<ClientResult> {
  const wire = clientRun.wire ? ["--spec-version", clientRun.wire, "--force"] : [];
  const { stdout, stderr } = await conformance(clientRun.suite, ["client", "--command", command, "--scenario", clientRun.scenario, "--timeout", String(SCENARIO_TIMEOUT_MS), ...wire], true);
  const output = `${stdout}\n${stderr}`;
  const match = /Passed: (\d+)\/(\d+), (\d+) failed, (\d+) warnings/.exec(output);
  const [passed, total, failed, warnings] = match ? match.slice(1).map(Number) : [0, 0, 1, 0];
  return { ...clientRun, passed, total, failed, warnings, ok: Boolean(match) && failed === 0 && /OVERALL: PASSED/.test(output), output };
}

/** Runs `runs`, `concurrency` at a time, in order. */
export async function runAll(runs: ClientRun[], concurrency = 3): Promise<ClientResult[]> {
  const results: ClientResult[] = new Array<ClientResult>(runs.length);
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const index = next++;
      results[index] = await runClientScenario(runs[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, worker));
  return results;
}

/** Every auth/* run of both suites. */
export async function allAuthRuns(): Promise<ClientRun[]> {
  return (await Promise.all((Object.keys(SUITES) as Suite[]).map(authRuns))).flat();
}

/** Why a check failed, from a run's report: the "Failed Checks" lines, or the client's own error. */
export function failureSummary(result: ClientResult): string {
  const failed = result.output.split("Failed Checks:")[1]?.split(/\n\s*\n/)[0]?.trim();
  const clientError = /Stderr:\n([\s\S]*?)(\n\n|$)/.exec(result.output)?.[1]?.trim();
  return [failed, clientError ? `client: ${clientError.split("\n").slice(-3).join(" | ")}` : undefined].filter(Boolean).join("\n") || result.output.slice(-800);
}
