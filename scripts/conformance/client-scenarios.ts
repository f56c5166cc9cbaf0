// The official conformance suite's client `auth/*` scenarios, run against the console's upstream
// OAuth client (scripts/conformance/client.ts). "Scored" are the scenarios of a released spec
// version; draft and extension scenarios are listed by the suite but not scored.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const bin = path.join(root, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
const loader = path.join(root, "scripts/conformance/node20.mjs");
const tsx = path.join(root, "node_modules/.bin/tsx");
const command = `${tsx} ${path.join(root, "scripts/conformance/client.ts")}`;

export type ClientResult = { scenario: string; passed: number; total: number; failed: number; warnings: number; ok: boolean; output: string };

async function conformance(args: string[]) {
  try {
    return await run(process.execPath, ["--import", loader, bin, ...args], { cwd: root, maxBuffer: 32 * 1024 * 1024, timeout: 120_000 });
  } catch (error) {
    // A failed scenario exits non-zero; its output is still the report.
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    return { stdout, stderr };
  }
}

/** `auth/*` client scenarios tagged with a released spec version (e.g. [2025-11-25]). */
export async function scoredAuthScenarios(): Promise<string[]> {
  const { stdout } = await conformance(["list"]);
  return [...stdout.matchAll(/^\s+- (auth\/[\w.-]+) \[([^\]]+)\]$/gm)].filter(([, , versions]) => /\d{4}-\d{2}-\d{2}/.test(versions)).map(([, name]) => name);
}

export async function runClientScenario(scenario: string): Promise<ClientResult> {
  const { stdout, stderr } = await conformance(["client", "--command", command, "--scenario", scenario]);
  const output = `${stdout}\n${stderr}`;
  const match = /Passed: (\d+)\/(\d+), (\d+) failed, (\d+) warnings/.exec(output);
  const [passed, total, failed, warnings] = match ? match.slice(1).map(Number) : [0, 0, 1, 0];
  return { scenario, passed, total, failed, warnings, ok: Boolean(match) && failed === 0 && /OVERALL: PASSED/.test(output), output };
}

/** Every scored scenario, a few at a time. */
export async function runScoredAuthScenarios(concurrency = 4): Promise<ClientResult[]> {
  const scenarios = await scoredAuthScenarios();
  const results: ClientResult[] = [];
  for (let i = 0; i < scenarios.length; i += concurrency) {
    results.push(...(await Promise.all(scenarios.slice(i, i + concurrency).map(runClientScenario))));
  }
  return results;
}
