// `npm run conformance:client`: the suite's scored client auth/* scenarios against the console's
// upstream OAuth client; prints one line per scenario and a total, exits 1 if any failed.
import { runScoredAuthScenarios } from "./client-scenarios";

const results = await runScoredAuthScenarios();
for (const result of results) {
  console.log(`${result.ok ? "✓" : "✗"} ${result.scenario}: ${result.passed}/${result.total} checks passed, ${result.failed} failed, ${result.warnings} warnings`);
}
const passing = results.filter((result) => result.ok).length;
console.log(`\n${passing} of ${results.length} scored auth scenarios pass`);
for (const result of results.filter((r) => !r.ok)) console.log(`\n--- ${result.scenario}\n${result.output.slice(-3000)}`);
process.exit(passing === results.length && results.length > 0 ? 0 : 1);
