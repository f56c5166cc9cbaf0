// The quick start's .env: generated secrets and an owner account, written once and kept.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { DEFAULT_DATABASE_URL } from "../../prisma/database-url.mjs";

export function readEnvFile(file) {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

/**
 * @param {{ file: string, port: string, processEnv?: Record<string, string | undefined> }} options
 * Adds whatever the quick start needs and neither the file nor the environment sets. Returns the
 * effective values and the names it wrote now (empty on every start after the first).
 */
export function prepareEnvFile({ file, port, processEnv = process.env }) {
  const current = readEnvFile(file);
  const defaults = {
    DATABASE_URL: DEFAULT_DATABASE_URL,
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ENTERPRISE_ENABLED: "false",
    ADMIN_EMAIL: "admin@example.com",
    ADMIN_PASSWORD: randomBytes(12).toString("base64url"),
  };
  const missing = Object.entries(defaults).filter(([key]) => !current[key] && !processEnv[key]);
  if (missing.length > 0) {
    const head = existsSync(file)
      ? `${readFileSync(file, "utf8").trimEnd()}\n`
      : "# Written by npm start on first run. Keep ENCRYPTION_KEY: without it stored secrets can't be read.\n";
    writeFileSync(file, `${head}${missing.map(([key, value]) => `${key}=${value}`).join("\n")}\n`, { mode: 0o600 });
  }
  return { values: { ...readEnvFile(file), ...processEnv }, written: missing.map(([key]) => key) };
}

/**
 * What `npm start` prints: the owner's password only when it was generated just now.
 * @param {{ values: Record<string, string | undefined>, written: string[], port: string }} options
 */
export function startupLines({ values, written, port }) {
  const lines = [`MCP Console: http://127.0.0.1:${port}`];
  if (written.length > 0) lines.push(`Wrote ${written.join(", ")} to .env`);
  if (written.includes("ADMIN_PASSWORD") && values.ADMIN_EMAIL) {
    lines.push(`Sign in as ${values.ADMIN_EMAIL} with the password ${values.ADMIN_PASSWORD} (kept in .env; it only applies to an empty database).`);
  } else if (values.ADMIN_EMAIL) {
    lines.push(`Sign in as ${values.ADMIN_EMAIL} (the password is ADMIN_PASSWORD in .env).`);
  }
  return lines;
}
