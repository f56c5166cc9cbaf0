// Browser sessions live in the database, so signing out ends a session on every console instance
// and a copied cookie stops working the moment its session is gone.
import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

export async function defaultWorkspaceFor(userId: string): Promise<string | undefined> {
  const membership = await db().membership.findFirst({ where: { userId }, orderBy: { createdAt: "asc" } });
  return membership?.workspaceId;
}

export async function createSession(options: { userId: string; viaSso: boolean }): Promise<string | undefined> {
  const workspaceId = await defaultWorkspaceFor(options.userId);
  if (!workspaceId) return undefined;
  const id = randomUUID();
  await db().session.create({
    data: {
      id,
      userId: options.userId,
      workspaceId,
      viaSso: options.viaSso,
      expiresAt: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000),
      createdAt: new Date(),
    },
  });
  return id;
}

export async function findLiveSession(id: string) {
  const session = await db().session.findUnique({ where: { id } });
  return session && session.expiresAt > new Date() ? session : null;
}

/** A live session whose user is still a member of its workspace. */
export async function findUsableSession(id: string) {
  const session = await findLiveSession(id);
  if (!session) return null;
  const member = await db().membership.findUnique({ where: { userId_workspaceId: { userId: session.userId, workspaceId: session.workspaceId } } });
  return member ? session : null;
}

export async function endSession(id: string) {
  await db().session.deleteMany({ where: { id } });
}
