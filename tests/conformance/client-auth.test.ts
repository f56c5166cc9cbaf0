// The official conformance suite's scored client auth/* scenarios against the console's upstream
// OAuth client (the same ConnectionAuth the console connects with). `npm run conformance:client`
// prints the same results; docs/conformance.md records them.
import { expect, it } from "vitest";
import { runScoredAuthScenarios } from "../../scripts/conformance/client-scenarios";

it("passes every scored auth/* client scenario of @modelcontextprotocol/conformance", async () => {
  const results = await runScoredAuthScenarios();
  const summary = results.map((result) => `${result.ok ? "✓" : "✗"} ${result.scenario}: ${result.passed}/${result.total}, ${result.warnings} warnings`);
  console.log(`conformance client auth scenarios:\n${summary.join("\n")}`);
  expect(results.length).toBe(16);
  expect(results.filter((result) => !result.ok).map((result) => `${result.scenario}\n${result.output.slice(-1500)}`)).toEqual([]);
});
