// Several workspaces per user: anyone creates one (and owns it); the browser session works in one
// workspace at a time and switches between the user's own; an API token belongs to the workspace
// it was made in. Nothing crosses workspaces: every query is scoped by the caller's workspace.
import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { parseRole, ROLES } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { enforce, LIMITS } from "@/lib/rate-limit";

export const workspaceNameSchema = z.string({ error: "Name is required" }).trim().min(1, "Name is required").max(60, "At most 60 characters");
export const createWorkspaceSchema = z.strictObject({ name: workspaceNameSchema });
export const switchWorkspaceSchema = z.strictObject({ workspace_id: z.uuid("Use a workspace id from GET /api/v1/workspaces") });

export const workspaceSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES).describe("Your role there"),
  current: z.boolean().describe("Whether this request acts in it (the session's or the API token's workspace)"),
});

export async function listWorkspaces(caller: { userId: string; workspaceId: string }) {
  const memberships = await db().membership.findMany({ where: { userId: caller.userId }, include: { workspace: true }, orderBy: { createdAt: "asc" }, take: 500 });
  return memberships.map((m) => ({ id: m.workspaceId, name: m.workspace.name, role: parseRole(m.role), current: m.workspaceId === caller.workspaceId }));
}

export async function createWorkspace(caller: { userId: string; workspaceId: string }, name: string) {
  await enforce([[LIMITS.workspacesPerUser, caller.userId]]);
  const id = randomUUID();
  await db().$transaction(async (tx) => {
    await tx.workspace.create({ data: { id, name, createdAt: new Date() } });
    await tx.membership.create({ data: { userId: caller.userId, workspaceId: id, role: "owner", createdAt: new Date() } });
  });
  return { id, name, role: "owner" as const, current: false };
}

/** The browser session moves to another of the user's workspaces. */
export async function switchWorkspace(caller: { userId: string; sessionId?: string }, workspaceId: string) {
  if (!caller.sessionId) throw new ApiError("forbidden", "An API token belongs to the workspace it was made in; make one there instead of switching.");
  const membership = await db().membership.findUnique({ where: { userId_workspaceId: { userId: caller.userId, workspaceId } } });
  if (!membership) throw new ApiError("not_found", "You are not a member of that workspace.");
  await db().session.updateMany({ where: { id: caller.sessionId, userId: caller.userId }, data: { workspaceId } });
}
