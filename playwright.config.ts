import os from "node:os";
import { defineConfig } from "@playwright/test";
import { IDENTITY, SERVERS } from "./e2e/users";

// Debian's Chromium; the networking flags keep it from flooding this machine's closed network.
const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  },
};

const server = (name: keyof typeof SERVERS, port: number) => ({
  command: `node e2e/start-server.mjs --name ${name} --port ${port}${name === "enterprise" ? " --enterprise" : ""}${name === "hardening" || name === "addressLimit" ? " --hardening" : ""}${name === "hardening" ? " --trusted-proxies 127.0.0.1" : ""}`,
  url: `${SERVERS[name]}/signin`,
  // Dedicated ports, and never someone else's server: reuse only a server this run started.
  reuseExistingServer: false,
  timeout: 120_000,
  stdout: "ignore" as const,
  stderr: "pipe" as const,
});

export default defineConfig({
  testDir: "e2e",
  forbidOnly: Boolean(process.env.CI),
  // No retries, here or in CI: a test that passes only on its second try is a bug to fix.
  retries: 0,
  workers: Math.max(2, os.availableParallelism()),
  // Twice Playwright's default: CI's machine has run these tests at up to four times this one's
  // time (a 9 s test took 33 s). A test that hangs still fails, a minute later.
  timeout: 60_000,
  expect: { timeout: 7_000 },
  reporter: [["list"], ["json", { outputFile: "reports/playwright.json" }]],
  use: { ...chromium, trace: "retain-on-failure", screenshot: "only-on-failure" },
  webServer: [
    {
      command: `node_modules/.bin/tsx e2e/support/identity-stack.ts --idp-port ${IDENTITY.idpPort} --whoami-port ${IDENTITY.whoamiPort} --console ${SERVERS.enterprise}`,
      url: `http://127.0.0.1:${IDENTITY.idpPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore" as const,
      stderr: "pipe" as const,
    },
    server("enterprise", 3100),
    server("community", 3101),
    server("hardening", 3102),
    server("addressLimit", 3103),
  ],
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    {
      name: "enterprise",
      testMatch: /.*\.spec\.ts/,
      testIgnore: /community\.spec\.ts|screenshots\.spec\.ts|sign-in-limits\.spec\.ts|hardening\.spec\.ts|address-limit\.spec\.ts/,
      dependencies: ["setup"],
      use: { baseURL: SERVERS.enterprise, storageState: "e2e/.auth/enterprise-owner.json" },
    },
    {
      name: "community",
      testMatch: /community\.spec\.ts|sign-in-limits\.spec\.ts/,
      dependencies: ["setup"],
      use: { baseURL: SERVERS.community, storageState: "e2e/.auth/community-owner.json" },
    },
    // Attacks on sign-in, sessions and headers, each on a console of its own (no stored sessions).
    { name: "hardening", testMatch: /hardening\.spec\.ts/, use: { baseURL: SERVERS.hardening } },
    { name: "address-limit", testMatch: /address-limit\.spec\.ts/, use: { baseURL: SERVERS.addressLimit } },
    // `npm run screenshots` refreshes docs/screenshots; the test run leaves them alone.
    ...(process.env.SCREENSHOTS
      ? [{ name: "screenshots", testMatch: /screenshots\.spec\.ts/, dependencies: ["setup"], use: { baseURL: SERVERS.enterprise, storageState: "e2e/.auth/enterprise-owner.json" } }]
      : []),
  ],
});
