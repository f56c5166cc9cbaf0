// Audit events: who did what to which provider, member, invitation or workspace setting, when, and which field names
// changed — never values.
import "server-only";
import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db";

type Tx = Pick<Db, "auditEvent">;

export type AuditAction =
  | "provider.created"
  | "provider.updated"
  | "provider.deleted"
  | "member.role_changed"
  | "member.removed"
  | "member.joined"
  | "invitation.created"
  | "invitation.revoked"
  | "invitation.declined"
  | "workspace.settings_updated";

export async function recordAuditEvent(
  tx: Tx,
  event: { workspaceId: string; actorUserId: string; action: AuditAction; providerId?: string; targetId?: string; fields?: string[] },
) {
  await tx.auditEvent.create({
    data: {
      id: randomUUID(),
      workspaceId: event.workspaceId,
      actorUserId: event.actorUserId,
      action: event.action,
      providerId: event.providerId ?? null,
      targetId: event.targetId ?? null,
      fields: JSON.stringify(event.fields ?? []),
      createdAt: new Date(),
    },
  });
}
