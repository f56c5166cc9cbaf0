// Air-gapped installs must never try to phone home: every way this project runs Next.js turns its
// telemetry off.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

describe("Next.js telemetry", () => {
  it("is off in every package script that runs next", () => {
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    const runningNext = Object.entries(scripts).filter(([, command]) => /(^|&&\s*|\s)next\s/.test(command));
    for (const [name, command] of runningNext) expect(command, name).toMatch(/NEXT_TELEMETRY_DISABLED=1 next /);
  });

  it("is off in the server, the quick start and the test runner", () => {
    expect(read("server.mjs")).toMatch(/process\.env\.NEXT_TELEMETRY_DISABLED = "1"/);
    expect(read("scripts/start.mjs")).toMatch(/NEXT_TELEMETRY_DISABLED: "1"/);
    expect(read("scripts/test.sh")).toMatch(/^export NEXT_TELEMETRY_DISABLED=1/m);
  });
});
