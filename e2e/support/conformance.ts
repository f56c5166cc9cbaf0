// The official MCP conformance suite (@modelcontextprotocol/conformance), run as its CLI does:
// 0.1.16, and 0.2.0-alpha.12 (installed as conformance-next) with a frozen requirement set
// (`--requirements 2025-11-25` or `2026-07-28`). Read back per scenario from the printed summary
// ({ scenario: { passed, failed } }) and check by check from the checks.json files the CLI writes
// with `--output-dir`, so two runs can be compared check for check.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { z } from "zod";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(require.resolve("../../package.json")));

export type ScenarioResults = Record<string, { passed: number; failed: number }>;

export function parseSummary(output: string): ScenarioResults {
  const results: ScenarioResults = {};
  for (const match of output.matchAll(/^[✓✗] ([\w/.-]+): (\d+) passed, (\d+) failed$/gmu)) {
    results[match[1]] = { passed: Number(match[2]), failed: Number(match[3]) };
  }
  return results;
}

export function score(results: ScenarioResults): { scenarios: number; passing: number; checksPassed: number; checksFailed: number } {
  const entries = Object.values(results);
  return {
    scenarios: entries.length,
    passing: entries.filter((r) => r.failed === 0 && r.passed > 0).length,
    checksPassed: entries.reduce((sum, r) => sum + r.passed, 0),
    checksFailed: entries.reduce((sum, r) => sum + r.failed, 0),
  };
}

/** The three ways the suite is run against a server. */
export const SUITES = {
  "0.1.16": { package: "@modelcontextprotocol/conformance", requirements: undefined },
  "alpha.12 @ 2025-11-25": { package: "@modelcontextprotocol/conformance-next", requirements: "2025-11-25" },
  "alpha.12 @ 2026-07-28": { package: "@modelcontextprotocol/conformance-next", requirements: "2026-07-28" },
} as const;
export type SuiteName = keyof typeof SUITES;

const checkSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(["SUCCESS", "FAILURE", "WARNING", "SKIPPED", "INFO"]),
  errorMessage: z.string().optional(),
});
export type CheckResult = z.infer<typeof checkSchema> & { scenario: string };

export type SuiteRun = {
  suite: SuiteName;
  /** Per scenario, as the CLI's summary prints it (scored and unscored scenarios alike). */
  results: ScenarioResults;
  /** Scenarios the requirement set runs but never scores (extensions, drafts); empty for 0.1.16. */
  unscored: string[];
  /** Every check of every scenario, in the order the suite reported them. */
  checks: CheckResult[];
  output: string;
};

/** Only the scenarios that count: the unscored ones (alpha.12's extensions) left out. */
export function scoredResults(run: SuiteRun): ScenarioResults {
  return Object.fromEntries(Object.entries(run.results).filter(([scenario]) => !run.unscored.includes(scenario)));
}

/** `conformance server --url <url>` with the given suite, per scenario and check by check. */
export async function runSuite(url: string, suite: SuiteName): Promise<SuiteRun> {
  const { package: packageName, requirements } = SUITES[suite];
  const bin = path.join(path.dirname(require.resolve(`${packageName}/package.json`)), "dist/index.js");
  const outputDir = await mkdtemp(path.join(os.tmpdir(), "conformance-"));
  try {
    const args = ["server", "--url", url, "--output-dir", outputDir, ...(requirements ? ["--requirements", requirements] : [])];
    const output = await runCli(bin, args);
    const results = parseSummary(output);
    if (Object.keys(results).length === 0) throw new Error(`the conformance suite printed no summary:\n${output.slice(-2000)}`);
    return { suite, results, unscored: parseUnscored(output), checks: await readChecks(outputDir), output };
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
}

/** `conformance server --url <url>` (0.1.16): every server scenario against the server at `url`. */
export async function runServerScenarios(url: string): Promise<{ results: ScenarioResults; output: string }> {
  const { results, output } = await runSuite(url, "0.1.16");
  return { results, output };
}

/**
 * What differs between two runs of one suite, check by check, named
 * `scenario › check id: STATUS → STATUS` (a check only one run reported reads `absent`).
 */
export function compareChecks(expected: CheckResult[], actual: CheckResult[]): string[] {
  const keyed = (checks: CheckResult[]) => {
    const seen = new Map<string, number>();
    const byKey = new Map<string, CheckResult>();
    for (const check of checks) {
      const base = `${check.scenario} › ${check.id}`;
      const occurrence = (seen.get(base) ?? 0) + 1;
      seen.set(base, occurrence);
      byKey.set(occurrence > 1 ? `${base} #${occurrence}` : base, check);
    }
    return byKey;
  };
  const left = keyed(expected);
  const right = keyed(actual);
  const differences: string[] = [];
  for (const key of new Set([...left.keys(), ...right.keys()])) {
    const before = left.get(key)?.status ?? "absent";
    const after = right.get(key)?.status ?? "absent";
    if (before !== after) differences.push(`${key}: ${before} → ${after}${right.get(key)?.errorMessage ? ` (${right.get(key)?.errorMessage})` : ""}`);
  }
  return differences;
}

function runCli(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", path.join(root, "scripts/conformance/node20.mjs"), bin, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", reject);
    child.once("exit", () => {
      resolve(output);
    });
  });
}

// alpha.12 with --requirements ends with "Not scored for <revision>: …" and one line per scenario.
function parseUnscored(output: string): string[] {
  const at = output.search(/^Not scored for /mu);
  if (at < 0) return [];
  return [...output.slice(at).matchAll(/^\s+[✓✗] ([\w/.-]+) \(/gmu)].map((match) => match[1]);
}

// The CLI writes <dir>/server-<scenario>-<ISO timestamp with : and . as ->/checks.json.
async function readChecks(outputDir: string): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  for (const entry of (await readdir(outputDir)).sort()) {
    const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/u.exec(entry)?.[1];
    if (!scenario) continue;
    const file = await readFile(path.join(outputDir, entry, "checks.json"), "utf8").catch(() => undefined);
    if (file === undefined) continue;
    for (const check of z.array(checkSchema.loose()).parse(JSON.parse(file))) {
      checks.push({ scenario, id: check.id, name: check.name, status: check.status, ...(check.errorMessage ? { errorMessage: check.errorMessage } : {}) });
    }
  }
  return checks;
}
