// Whom an OAuth grant acts for: one user in one workspace — the workspace they were signed in to
// when they consented. The authorization server knows them by one opaque account id.
import "server-only";
import { db } from "@/lib/db";

export function accountIdOf(workspaceId: string, userId: string): string {
  return `${workspaceId}:${userId}`;
}

export function parseAccountId(accountId: string): { workspaceId: string; userId: string } | undefined {
  const [workspaceId, userId, ...rest] = accountId.split(":");
  return workspaceId && userId && rest.length === 0 ? { workspaceId, userId } : undefined;
}

/** The membership an account id stands for, if the user still belongs to that workspace. */
export async function accountMembership(accountId: string) {
  const account = parseAccountId(accountId);
  if (!account) return null;
  return db().membership.findUnique({ where: { userId_workspaceId: account } });
}
