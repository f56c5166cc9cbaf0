export const USERS = {
  owner: { email: "owner@e2e.test", password: "owner-password-123" },
  member: { email: "member@e2e.test", password: "member-password-123" },
} as const;

export const SERVERS = {
  enterprise: "http://127.0.0.1:3100",
  community: "http://127.0.0.1:3101",
} as const;
