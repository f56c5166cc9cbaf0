import type { NextConfig } from "next";

const config: NextConfig = {
  // Native and wasm-backed packages load from node_modules at run time instead of being bundled; so
  // does OpenTelemetry's SDK, one copy for every bundle (lib/observability/).
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg", "@prisma/client", "pino", "oidc-provider", "@opentelemetry/api", "@opentelemetry/api-logs", "@opentelemetry/sdk-trace", "@opentelemetry/sdk-logs", "@opentelemetry/exporter-trace-otlp-http", "@opentelemetry/exporter-logs-otlp-http", "@opentelemetry/context-async-hooks"],
  poweredByHeader: false,
  typedRoutes: false,
  // scripts/test.sh has type-checked the whole tree (tsc --noEmit) before it builds: once is enough.
  typescript: { ignoreBuildErrors: process.env.MCP_CONSOLE_TYPES_CHECKED === "1" },
  // A CI machine builds once and is thrown away: writing Turbopack's cache for a next build there is time spent for no one.
  experimental: { turbopackFileSystemCacheForBuild: ["", "0", "false"].includes(process.env.CI ?? "") },
};

export default config;
