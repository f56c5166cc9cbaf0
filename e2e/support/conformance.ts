// The official MCP conformance suite (@modelcontextprotocol/conformance), run as its CLI does, with
// its per-scenario summary read back: { scenario: { passed, failed } }.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

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

/** `conformance server --url <url>`: every server scenario against the server at `url`. */
export function runServerScenarios(url: string): Promise<{ results: ScenarioResults; output: string }> {
  const bin = path.join(path.dirname(require.resolve("@modelcontextprotocol/conformance/package.json")), "dist/index.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", path.join(root, "scripts/conformance/node20.mjs"), bin, "server", "--url", url], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", () => {
      const results = parseSummary(output);
      if (Object.keys(results).length === 0) reject(new Error(`the conformance suite printed no summary:\n${output.slice(-2000)}`));
      else resolve({ results, output });
    });
  });
}
