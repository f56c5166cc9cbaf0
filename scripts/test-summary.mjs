// Adds up the runners' JSON reports into one closing line: "N passed, N failed, N skipped".
import { existsSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];

if (existsSync("reports/vitest.json")) {
  const report = JSON.parse(readFileSync("reports/vitest.json", "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  lines.push(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
if (existsSync("reports/playwright.json")) {
  const { stats } = JSON.parse(readFileSync("reports/playwright.json", "utf8"));
  passed += stats.expected + stats.flaky;
  failed += stats.unexpected;
  skipped += stats.skipped;
  lines.push(`playwright: ${stats.expected + stats.flaky} passed, ${stats.unexpected} failed`);
}
// Type-checking and lint are not tests, but a red one fails the run like one: each counts once.
for (const check of (process.env.STATIC_FAILURES ?? "").split(" ").filter(Boolean)) {
  failed += 1;
  lines.push(`${check}: failed (see above)`);
}
for (const line of lines) console.log(line);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
