// Driver adapters for the wasm schema engine, each with the fix for a gap the wasm engine has with
// that driver (every one reproduced; see the bridge tests).
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import Database from "better-sqlite3";
import { databaseKind, postgresConfig, sqliteFilePath } from "../database-url.mjs";

export { databaseKind };

const require = createRequire(import.meta.url);
const MIGRATIONS_TABLE = "_prisma_migrations";

// adapter-pg cannot deserialize PostgreSQL's internal "char" type (OID 18), which the engine's
// introspection queries return. Its values are plain text, so report them as text (OID 25).
// This patch lives only in the bridge process.
const PgResult = require("pg/lib/result.js");
const addFields = PgResult.prototype.addFields;
PgResult.prototype.addFields = function addFieldsCharAsText(fieldDescriptions) {
  addFields.call(this, fieldDescriptions);
  for (const field of this.fields) if (field.dataTypeID === 18) field.dataTypeID = 25;
};

/** Wraps a SQLite queryable (adapter or transaction) with the two SQLite gaps fixed. */
function patchSqliteQueryable(queryable) {
  const queryRaw = queryable.queryRaw.bind(queryable);
  const executeRaw = queryable.executeRaw.bind(queryable);
  const isMultiStatement = (error) => /more than one statement/i.test(String(error?.message));
  const runScript = async (sql) => {
    // The shadow database replays migrations one prepared statement at a time, and better-sqlite3
    // refuses multi-statement SQL there. Run the whole script instead.
    queryable.client.exec(sql);
    return { columnNames: [], columnTypes: [], rows: [] };
  };
  queryable.queryRaw = async (query) => {
    try {
      return await queryRaw(query);
    } catch (error) {
      // A fresh database has no migrations table; the engine should see "no history", not P1014.
      if (query.sql.includes(MIGRATIONS_TABLE) && /no such table/i.test(JSON.stringify(error?.cause ?? error?.message ?? ""))) {
        return { columnNames: [], columnTypes: [], rows: [] };
      }
      if (isMultiStatement(error)) return runScript(query.sql);
      throw error;
    }
  };
  queryable.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (error) {
      if (isMultiStatement(error)) {
        await runScript(query.sql);
        return 0;
      }
      throw error;
    }
  };
  if (typeof queryable.startTransaction === "function") {
    const startTransaction = queryable.startTransaction.bind(queryable);
    queryable.startTransaction = async (...args) => patchSqliteQueryable(await startTransaction(...args));
  }
  return queryable;
}

function sqliteFactory(url, shadowUrl) {
  const file = sqliteFilePath(url);
  mkdirSync(dirname(file), { recursive: true });
  const main = new PrismaBetterSqlite3({ url: `file:${file}` });
  const shadow = new PrismaBetterSqlite3({ url: shadowUrl ? `file:${sqliteFilePath(shadowUrl)}` : ":memory:" });
  return {
    provider: "sqlite",
    adapterName: main.adapterName,
    connect: async () => patchSqliteQueryable(await main.connect()),
    connectToShadowDb: async () => patchSqliteQueryable(await shadow.connect()),
  };
}

function postgresFactory(url, shadowUrl) {
  const main = new PrismaPg(postgresConfig(url));
  return {
    provider: "postgres",
    adapterName: main.adapterName,
    connect: () => main.connect(),
    async connectToShadowDb() {
      if (shadowUrl) return new PrismaPg(postgresConfig(shadowUrl)).connect();
      // Build the shadow config from fields (a connection string would override the database name
      // and silently point the "shadow" at the main database), and create and drop it ourselves.
      // Named after the main database (within PostgreSQL's 63 bytes), so whose it is can be told.
      const name = `${postgresConfig(url).database.slice(0, 40)}_shadow_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
      await withAdminClient(url, (client) => client.query(`CREATE DATABASE "${name}"`));
      const adapter = await new PrismaPg(postgresConfig(url, name)).connect();
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await withAdminClient(url, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      };
      return adapter;
    },
  };
}

async function withAdminClient(url, work, database) {
  const client = new pg.Client(postgresConfig(url, database));
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createAdapterFactory({ url, shadowUrl }) {
  const factory = databaseKind(url) === "sqlite" ? sqliteFactory(url, shadowUrl) : postgresFactory(url, shadowUrl);
  return bindMigrationAwareSqlAdapterFactory(factory);
}

function engineError(code, message) {
  return Object.assign(new Error(message), { code });
}

/** Succeeds when the database exists and answers; P1003 when it does not exist. */
export async function canConnect(url) {
  if (databaseKind(url) === "sqlite") {
    if (!existsSync(sqliteFilePath(url))) throw engineError("P1003", `Database ${sqliteFilePath(url)} does not exist`);
    return;
  }
  try {
    await withAdminClient(url, (client) => client.query("SELECT 1"));
  } catch (error) {
    if (error.code === "3D000") throw engineError("P1003", `Database ${postgresConfig(url).database} does not exist`);
    throw engineError("P1001", `Can't reach database server: ${error.message}`);
  }
}

export async function createDatabase(url) {
  if (databaseKind(url) === "sqlite") {
    const file = sqliteFilePath(url);
    mkdirSync(dirname(file), { recursive: true });
    new Database(file).close();
    return;
  }
  const { database } = postgresConfig(url);
  await withAdminClient(url, (client) => client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`), "postgres");
}

export function resetSqliteFile(url) {
  const file = sqliteFilePath(url);
  for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
  new Database(file).close();
}
