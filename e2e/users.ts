export const USERS = {
  owner: { email: "owner@e2e.test", password: "owner-password-123" },
  member: { email: "member@e2e.test", password: "member-password-123" },
  /** Signs in locally only: never linked to an SSO identity. */
  local: { email: "local@e2e.test", password: "local-password-123" },
} as const;

export const SERVERS = {
  enterprise: "http://127.0.0.1:3100",
  community: "http://127.0.0.1:3101",
} as const;

/** The test IdP and the whoami MCP server the enterprise console is wired to. */
export const IDENTITY = { idpPort: 3190, whoamiPort: 3191, whoamiUrl: "http://127.0.0.1:3191/mcp" } as const;
