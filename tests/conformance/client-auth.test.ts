// Every client auth/* scenario of both installed conformance suites — scored, drafts and extensions,
// alpha.12's at each wire revision they apply to — against the console itself (the command in
// scripts/conformance/client.ts registers the scenario's server as a provider and goes through the
// console's Connect, callback, identity and tool-call code). `npm run conformance:client` prints the
// same runs; docs/conformance.md records them. Each run that doesn't pass fails the test.
import { expect, it } from "vitest";
import { allAuthRuns, failureSummary, runAll, runLabel, type ClientResult } from "../../scripts/conformance/client-scenarios";

// 75 runs, three at a time, each starting node, the suite's servers and a console: minutes, more on a busy machine.
it("passes every client auth/* scenario of conformance 0.1.16 and 0.2.0-alpha.12", { timeout: 900_000 }, async () => {
  const started = Date.now();
  const runs = await allAuthRuns();
  const results = await runAll(runs);
  const line = (result: ClientResult) => `${result.ok ? "✓" : "✗"} ${runLabel(result)}: ${result.passed}/${result.total}, ${result.warnings} warnings`;
  console.log(`conformance client auth runs (${((Date.now() - started) / 1000).toFixed(0)} s):\n${results.map(line).join("\n")}`);

  expect(runs.filter((run) => run.suite === "0.1.16")).toHaveLength(22);
  expect(runs.filter((run) => run.suite === "0.2.0-alpha.12")).toHaveLength(53);
  expect(results.filter((result) => !result.ok).map((result) => `${runLabel(result)} fails:\n${failureSummary(result)}`)).toEqual([]);
});
