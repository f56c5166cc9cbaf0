// `npm run conformance:client [filter]`: every client auth/* scenario of both suites against the
// console's upstream OAuth client; one line per run (and why it failed), exits 1 if any failed.
// A filter (a substring of "<suite> <scenario> @<wire>") runs only the matching runs.
import { allAuthRuns, failureSummary, runAll, runLabel } from "./client-scenarios";

const filter = process.argv[2];
const runs = (await allAuthRuns()).filter((run) => !filter || runLabel(run).includes(filter));
const started = Date.now();
const results = await runAll(runs);
for (const result of results) {
  console.log(`${result.ok ? "✓" : "✗"} ${runLabel(result)} [${result.kind}]: ${result.passed}/${result.total} checks passed, ${result.failed} failed, ${result.warnings} warnings`);
  if (!result.ok) console.log(`    ${(process.env.CONFORMANCE_VERBOSE ? result.output : failureSummary(result)).replaceAll("\n", "\n    ")}`);
}
const passing = results.filter((result) => result.ok).length;
console.log(`\n${passing} of ${results.length} runs pass (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(passing === results.length && results.length > 0 ? 0 : 1);
