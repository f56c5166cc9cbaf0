export const USERS = {
  owner: { email: "owner@e2e.test", password: "owner-password-123" },
  member: { email: "member@e2e.test", password: "member-password-123" },
  /** Signs in locally only: never linked to an SSO identity. */
  local: { email: "local@e2e.test", password: "local-password-123" },
  /** On the hardening server: the account password guessing is aimed at. */
  victim: { email: "victim@e2e.test", password: "victim-password-123" },
  /** On the hardening server: a user who belongs to no workspace. */
  orphan: { email: "orphan@e2e.test", password: "orphan-password-123" },
} as const;

export const SERVERS = {
  enterprise: "http://127.0.0.1:3100",
  community: "http://127.0.0.1:3101",
  /** Attacks on sign-in and sessions: its own console, so locked accounts don't touch other tests. */
  hardening: "http://127.0.0.1:3102",
  /** Per-address sign-in limits: its own console, since the test uses up its address's allowance. */
  addressLimit: "http://127.0.0.1:3103",
} as const;

/** The test IdP and the whoami MCP server the enterprise console is wired to. */
export const IDENTITY = { idpPort: 3190, whoamiPort: 3191, whoamiUrl: "http://127.0.0.1:3191/mcp" } as const;
