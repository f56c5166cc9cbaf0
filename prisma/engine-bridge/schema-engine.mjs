#!/usr/bin/env node
// Stands in for Prisma's native `schema-engine` binary so `prisma generate / migrate / db` run with no
// binary download (air-gapped installs). Same command line and JSON-RPC-over-stdio protocol as the
// native engine, backed by Prisma's published wasm engine and the driver adapters.
// prisma.config.ts points PRISMA_SCHEMA_ENGINE_BINARY here.
import { readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { createRequire } from "node:module";
import { ENGINE_COMMIT, OPT_OUT_HELP, UNVERIFIED_HELP, unverifiedVersions } from "./versions.mjs";

const require = createRequire(import.meta.url);

// Before anything else loads: a package the bridge was not verified with may not even import.
const unverified = unverifiedVersions();
if (unverified.length > 0) {
  const message = [UNVERIFIED_HELP, ...unverified.map((line) => `  - ${line}`), OPT_OUT_HELP].join("\n");
  // The CLI reads stderr as JSON lines after the first, and shows the ERROR ones' messages.
  process.stderr.write("prisma engine bridge: refusing to start\n");
  logLine("ERROR", message);
  process.exit(1);
}
const { createAdapterFactory, databaseKind, createDatabase, canConnect, resetSqliteFile } = await import("./adapters.mjs");

function parseArgs(argv) {
  const args = { datamodels: [], datasource: undefined, cli: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--datamodels" || arg === "-d") args.datamodels.push(argv[++i]);
    else if (arg === "--datasource") args.datasource = JSON.parse(argv[++i]);
    else if (arg === "--enabled-preview-features" || arg === "--extension-types") i++;
    else if (arg === "--version" || arg === "-V") args.version = true;
    else if (arg === "cli") args.cli = argv[++i];
  }
  return args;
}

async function loadWasmEngine() {
  // The package entry point does not load under plain Node: instantiate the wasm ourselves.
  globalThis.PRISMA_WASM_PANIC_REGISTRY ??= { set_message: (message) => { lastPanic = message; } };
  const bindings = await import("@prisma/schema-engine-wasm/schema_engine_bg");
  const wasmPath = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")), "schema_engine_bg.wasm");
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { "./schema_engine_bg.js": bindings });
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return bindings;
}

let lastPanic;

function logLine(level, message, extra = {}) {
  // The CLI reads the engine's stderr as JSON log lines; errors carry error_code for its messages.
  process.stderr.write(
    JSON.stringify({ timestamp: new Date().toISOString(), level, target: "schema_engine::logger", fields: { message, ...extra } }) + "\n",
  );
}

function toRpcError(error) {
  const known = error && typeof error === "object" ? error : {};
  const message = known.message ?? String(error);
  return {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data: {
      is_panic: Boolean(lastPanic),
      message: lastPanic ?? message,
      error_code: known.error_code ?? known.code ?? undefined,
      meta: known.meta ?? undefined,
    },
  };
}

async function runCliCommand(command, datasource) {
  const url = datasource?.url;
  // The CLI skips the first stderr line (the native engine's start-up log line), so write one.
  logLine("INFO", `Starting schema engine bridge (${command})`);
  try {
    if (command === "can-connect-to-database") await canConnect(url);
    else if (command === "create-database") await createDatabase(url);
    else throw Object.assign(new Error(`Unsupported schema-engine cli command: ${command}`), { code: "P1000" });
    process.exit(0);
  } catch (error) {
    logLine("ERROR", error.message, { error_code: error.code ?? "P1001" });
    process.exit(1);
  }
}

async function serveRpc(args) {
  const bindings = await loadWasmEngine();
  const datamodels = args.datamodels.map((file) => [file, readFileSync(file, "utf8")]);
  const url = args.datasource?.url;
  const shadowUrl = args.datasource?.shadowDatabaseUrl;
  const kind = databaseKind(url);

  let engine;
  async function startEngine() {
    const factory = await createAdapterFactory({ url, shadowUrl });
    engine = await bindings.SchemaEngine.new(
      { datamodels },
      (log) => process.stderr.write(`${log}\n`),
      factory,
    );
  }
  if (url) await startEngine();

  async function handle(method, params) {
    if (!engine) throw new Error("No datasource url was given to the schema engine");
    if (method === "getDatabaseVersion") return engine.version(params ?? null);
    if (method === "reset" && kind === "sqlite") {
      // The wasm engine only deletes rows on SQLite; re-applying migrations then fails with
      // "table already exists". A reset means an empty database: drop the file and start over.
      engine.free();
      resetSqliteFile(url);
      await startEngine();
      return null;
    }
    if (typeof engine[method] !== "function") throw new Error(`Unsupported schema engine method: ${method}`);
    const result = await engine[method](params ?? {});
    return result === undefined ? null : result;
  }

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let queue = Promise.resolve();
  lines.on("line", (line) => {
    if (!line.trim()) return;
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      return;
    }
    if (request.method === undefined) return; // a reply to a notification of ours; we send none
    // The native engine answers requests one at a time; keep that order.
    queue = queue.then(async () => {
      lastPanic = undefined;
      try {
        const result = await handle(request.method, request.params);
        process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id: request.id, result }) + "\n");
      } catch (error) {
        process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id: request.id, error: toRpcError(error) }) + "\n");
      }
    });
  });
  lines.on("close", () => queue.then(() => process.exit(0)));
}

const args = parseArgs(process.argv.slice(2));
if (args.version) {
  process.stdout.write(`schema-engine-cli ${ENGINE_COMMIT}\n`);
} else if (args.cli) {
  await runCliCommand(args.cli, args.datasource);
} else {
  await serveRpc(args).catch((error) => {
    logLine("ERROR", error?.message ?? String(error), { error_code: error?.code });
    process.exit(1);
  });
}
