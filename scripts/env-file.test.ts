// The quick start's .env: written once; the owner's password is printed only when it was generated.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { prepareEnvFile, startupLines } from "./lib/env-file.mjs";

const dirs: string[] = [];
afterEach(() => { dirs.splice(0).forEach((dir) => { rmSync(dir, { recursive: true, force: true }); }); });

function tempEnvFile() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "env-file-"));
  dirs.push(dir);
  return path.join(dir, ".env");
}

describe("npm start's .env", () => {
  it("prints the generated password on the first start only", () => {
    const file = tempEnvFile();
    const first = prepareEnvFile({ file, port: "3000", processEnv: {} });
    const password = first.values.ADMIN_PASSWORD;
    expect(password).toMatch(/^[\w-]{16}$/);
    expect(startupLines({ ...first, port: "3000" }).join("\n")).toContain(password);

    const second = prepareEnvFile({ file, port: "3000", processEnv: {} });
    expect(second.written).toEqual([]);
    expect(second.values.ADMIN_PASSWORD).toBe(password);
    const printed = startupLines({ ...second, port: "3000" }).join("\n");
    expect(printed).not.toContain(password);
    expect(printed).toContain("ADMIN_PASSWORD in .env");
    expect(readFileSync(file, "utf8").match(/^ADMIN_PASSWORD=/gm)).toHaveLength(1);
  });

  it("keeps what the environment sets out of the file", () => {
    const file = tempEnvFile();
    const { written } = prepareEnvFile({ file, port: "3000", processEnv: { ADMIN_PASSWORD: "from-the-environment", ADMIN_EMAIL: "a@b.c" } });
    expect(written).not.toContain("ADMIN_PASSWORD");
    expect(readFileSync(file, "utf8")).not.toContain("from-the-environment");
  });
});
