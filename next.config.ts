import type { NextConfig } from "next";

const config: NextConfig = {
  // Native and wasm-backed packages load from node_modules at run time instead of being bundled.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg", "@prisma/client", "pino", "oidc-provider"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default config;
