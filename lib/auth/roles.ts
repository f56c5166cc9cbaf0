// Roles, and what each may do. No zod here: the browser bundle imports this file.
export const ROLES = ["member", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

const RANKS: readonly string[] = ROLES;

/** owner ⊃ admin ⊃ member. */
export function hasRole(actual: string, required: Role): boolean {
  const rank = RANKS.indexOf(actual);
  return rank >= 0 && rank >= RANKS.indexOf(required);
}

export function isRole(value: string): value is Role {
  return RANKS.includes(value);
}

/** A role read from storage; anything else is a broken row, not a member with no rights. */
export function parseRole(value: string): Role {
  if (isRole(value)) return value;
  throw new Error(`Unknown role "${value}" in the database`);
}

/** Owners and admins manage providers; members read and call tools. */
export const canManageProviders = (role: string) => hasRole(role, "admin");
