// The packages the bridge was verified with (tests/migrations/bridge.test.ts, on SQLite and
// PostgreSQL). The bridge speaks the native engine's private protocol and patches a pg internal, so
// any other version may behave differently: it refuses to start until the bridge tests have passed on
// the new set and this list says so.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const WASM_ENGINE = "7.10.0-4.0edf323efd1d98336f3f0a68684b56f689b900d3";

export const VERIFIED = {
  prisma: "7.10.0",
  "@prisma/client": "7.10.0",
  "@prisma/engines-version": WASM_ENGINE, // the engine build the CLI expects
  "@prisma/schema-engine-wasm": WASM_ENGINE,
  "@prisma/adapter-pg": "7.10.0",
  "@prisma/adapter-better-sqlite3": "7.10.0",
  "@prisma/driver-adapter-utils": "7.10.0",
  pg: "8.23.1", // adapters.mjs patches pg/lib/result.js
  "better-sqlite3": "12.11.1",
};

/** The engine commit the bridge reports to the CLI, as the native binary would. */
export const ENGINE_COMMIT = WASM_ENGINE.split(".").at(-1);

/** The installed version of `name`, found the way Node finds it from `from`; undefined when missing. */
export function installedVersion(name, from = import.meta.dirname) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "node_modules", name, "package.json");
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, "utf8")).version;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** What differs from the verified set: one line per package, empty when everything matches. */
export function unverifiedVersions(read = installedVersion) {
  return Object.entries(VERIFIED)
    .map(([name, verified]) => ({ name, verified, installed: read(name) }))
    .filter(({ verified, installed }) => installed !== verified)
    .map(({ name, verified, installed }) => `${name} ${installed ?? "(missing)"}, verified with ${verified}`);
}

export const UNVERIFIED_HELP =
  "The Prisma schema-engine bridge (prisma/engine-bridge/) was not verified with these packages:";
export const OPT_OUT_HELP =
  "Install the verified versions (npm ci), or re-verify the bridge (npm run test:integration, then update VERIFIED in prisma/engine-bridge/versions.mjs), " +
  "or use Prisma's native engine instead: set PRISMA_SCHEMA_ENGINE_BINARY to its path (see prisma/engine-bridge/README.md).";
