// Adds up the runners' JSON reports into one closing line: "N passed, N failed, N skipped", after
// the name of each failed test and the first line of why: the end of a long log says what went red.
import path from "node:path";
import { existsSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
const failures = [];
const ESCAPE = String.fromCharCode(27);
const firstLine = (message = "") => message.replaceAll(new RegExp(`${ESCAPE}\\[[0-9;]*m`, "g"), "").trim().split("\n")[0].slice(0, 300);

if (existsSync("reports/vitest.json")) {
  const report = JSON.parse(readFileSync("reports/vitest.json", "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  lines.push(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
  for (const file of report.testResults) {
    for (const test of file.assertionResults) {
      if (test.status === "failed") failures.push(`✗ ${path.relative(process.cwd(), file.name)} › ${test.fullName}\n    ${firstLine(test.failureMessages?.[0])}`);
    }
    // A file that failed outside any test (an import, a hook) has no failed test to name.
    if (file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed")) failures.push(`✗ ${path.relative(process.cwd(), file.name)}\n    ${firstLine(file.message)}`);
  }
}
if (existsSync("reports/playwright.json")) {
  const report = JSON.parse(readFileSync("reports/playwright.json", "utf8"));
  const { stats } = report;
  passed += stats.expected + stats.flaky;
  failed += stats.unexpected;
  skipped += stats.skipped;
  lines.push(`playwright: ${stats.expected + stats.flaky} passed, ${stats.unexpected} failed`);
  const visit = (suite, titles) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status !== "unexpected") continue;
        const error = test.results?.at(-1)?.error?.message;
        failures.push(`✗ [${test.projectName}] ${spec.file}:${spec.line} › ${[...titles, spec.title].join(" › ")}\n    ${firstLine(error)}`);
      }
    }
    for (const child of suite.suites ?? []) visit(child, [...titles, child.title]);
  };
  for (const suite of report.suites ?? []) visit(suite, []);
}
// Type-checking and lint are not tests, but a red one fails the run like one: each counts once.
for (const check of (process.env.STATIC_FAILURES ?? "").split(" ").filter(Boolean)) {
  failed += 1;
  lines.push(`${check}: failed (see above)`);
}
if (failures.length) console.log(`Failed:\n${failures.join("\n")}`);
for (const line of lines) console.log(line);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
