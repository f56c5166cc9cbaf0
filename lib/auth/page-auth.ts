// For server-rendered pages: the signed-in user's live session, workspace and role — the same
// checks the API makes (and the API still checks on every request).
import "server-only";
import { getToken } from "next-auth/jwt";
import { cookies, headers } from "next/headers";
import { findLiveSession } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

export async function currentMembership() {
  const cookieJar = Object.fromEntries((await cookies()).getAll().map((cookie) => [cookie.name, cookie.value]));
  const jwt = await getToken({
    req: { headers: Object.fromEntries((await headers()).entries()), cookies: cookieJar } as never,
    secret: env().NEXTAUTH_SECRET,
  }).catch(() => null);
  if (!jwt || typeof jwt.sid !== "string") return null;
  const live = await findLiveSession(jwt.sid);
  if (!live) return null;
  const membership = await db().membership.findUnique({
    where: { userId_workspaceId: { userId: live.userId, workspaceId: live.workspaceId } },
    include: { user: true, workspace: true },
  });
  if (!membership) return null;
  return { userId: live.userId, email: membership.user.email, role: membership.role, workspaceName: membership.workspace.name, viaSso: live.viaSso };
}
