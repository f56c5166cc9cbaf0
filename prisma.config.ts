// Prisma CLI configuration: picks the SQLite or PostgreSQL schema + migrations from DATABASE_URL and
// runs the CLI on our wasm-backed schema engine, so nothing is downloaded (air-gapped installs work).
import path from "node:path";
import { defineConfig } from "prisma/config";
import { DEFAULT_DATABASE_URL, databaseKind, sqliteFilePath } from "./prisma/database-url.mjs";

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve(import.meta.dirname, "prisma/engine-bridge/schema-engine.mjs");

const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const kind = databaseKind(url);
// PRISMA_SCHEMA_DIR lets the migration tests point the CLI at a copy with a partial history.
const schemaDir = process.env.PRISMA_SCHEMA_DIR ?? path.join(import.meta.dirname, "prisma", kind);

export default defineConfig({
  schema: path.join(schemaDir, "schema.prisma"),
  migrations: { path: path.join(schemaDir, "migrations") },
  datasource: {
    url: kind === "sqlite" ? `file:${sqliteFilePath(url)}` : url,
    shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL,
  },
});
