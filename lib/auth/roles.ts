// Roles, and what each may do. No zod here: the browser bundle imports this file.
export const ROLES = ["member", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

/** owner ⊃ admin ⊃ member. */
export function hasRole(actual: string, required: Role): boolean {
  const rank = ROLES.indexOf(actual as Role);
  return rank >= 0 && rank >= ROLES.indexOf(required);
}

/** Owners and admins manage providers; members read and call tools. */
export const canManageProviders = (role: string) => hasRole(role, "admin");
