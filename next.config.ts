import type { NextConfig } from "next";

const config: NextConfig = {
  // Native and wasm-backed packages load from node_modules at run time instead of being bundled; so
  // does OpenTelemetry's SDK, one copy for every bundle (lib/observability/).
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg", "@prisma/client", "pino", "oidc-provider", "@opentelemetry/api", "@opentelemetry/api-logs", "@opentelemetry/sdk-trace", "@opentelemetry/sdk-logs", "@opentelemetry/exporter-trace-otlp-http", "@opentelemetry/exporter-logs-otlp-http", "@opentelemetry/context-async-hooks"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default config;
