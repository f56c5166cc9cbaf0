import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";
import LongestFirst from "./tests/setup/sequencer.ts";

const root = import.meta.dirname;
const secrets = {
  NEXTAUTH_SECRET: "test-secret-test-secret-test-secret-0123",
  ENCRYPTION_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
  NEXTAUTH_URL: "http://127.0.0.1:3000",
};
const shared = {
  resolve: { alias: { "@": root, "server-only": path.join(root, "tests/setup/server-only.ts") } },
};
const integration = (name: string, databaseUrl: string, include = ["tests/integration/**/*.test.ts"]) => ({
  ...shared,
  test: {
    name,
    include,
    environment: "node",
    globalSetup: ["tests/setup/migrate-database.ts"],
    setupFiles: ["tests/setup/use-worker-database.ts"],
    env: { ...secrets, DATABASE_URL: databaseUrl, MCP_ALLOWED_HOSTS: "127.0.0.1" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

export default defineConfig({
  test: {
    // Vitest's default leaves a core idle (a worker per core but one); the tests wait on sockets,
    // processes and databases as much as they compute. Each worker has its own database copy.
    maxWorkers: Math.max(2, os.availableParallelism()),
    sequence: { sequencer: LongestFirst },
    projects: [
      { ...shared, test: { name: "unit", include: ["lib/**/*.test.ts", "prisma/**/*.test.ts", "scripts/**/*.test.ts"], environment: "node", env: secrets } },
      integration("integration-sqlite", `file:${path.join(root, "data/test-integration.db")}`),
      integration("integration-postgres", process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/mcp_console_it"),
      integration("fuzz", `file:${path.join(root, "data/test-fuzz.db")}`, ["tests/fuzz/**/*.test.ts"]),
      { ...shared, test: { name: "conformance", include: ["tests/conformance/**/*.test.ts"], environment: "node", testTimeout: 300_000 } },
      { ...shared, test: { name: "migrations", include: ["tests/migrations/**/*.test.ts"], environment: "node", testTimeout: 120_000, hookTimeout: 120_000 } },
    ],
  },
});
