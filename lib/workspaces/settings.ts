// A workspace's own settings (GET/PATCH /api/v1/settings). Today one: enterprise-managed
// authorization — whether an ID-JAG from the SSO provider may be redeemed at the console's
// authorization server for a gateway token with no consent screen, and by which OAuth clients.
// Stored either way; in effect only with enterprise on and SSO configured (SPEC §4, like identity modes).
import "server-only";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { recordAuditEvent } from "@/lib/audit";
import type { Caller } from "@/lib/auth/request-auth";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { endEnterpriseGrants } from "@/lib/oauth/connected-apps";

export const MAX_ID_JAG_CLIENTS = 20;

const clientIdSchema = z.string().trim().min(1, "A client id is required").max(2000, "At most 2000 characters");

const idJagSettingsSchema = z.object({
  enabled: z.boolean().describe("Whether ID-JAGs from the SSO provider are redeemed for this workspace's members"),
  allowed_client_ids: z.array(z.string()).describe("The OAuth clients (client_id at the console's authorization server) that may redeem them"),
  active: z.boolean().describe("Whether it is in effect: enabled, with enterprise features on and SSO configured in this deployment"),
});

export const workspaceSettingsSchema = z.object({
  enterprise_managed_authorization: idJagSettingsSchema.describe(
    "Enterprise-managed authorization (MCP extension io.modelcontextprotocol/enterprise-managed-authorization): an agent platform under the same SSO provider gets a gateway token for a member from an ID-JAG, with no consent screen",
  ),
});

export const updateWorkspaceSettingsSchema = z.strictObject({
  enterprise_managed_authorization: z
    .strictObject({
      enabled: z.boolean({ error: "enabled is true or false" }).optional(),
      allowed_client_ids: z
        .array(clientIdSchema, { error: "A list of client ids" })
        .max(MAX_ID_JAG_CLIENTS, `At most ${MAX_ID_JAG_CLIENTS} clients`)
        .refine((ids) => new Set(ids).size === ids.length, "Each client is listed once")
        .optional()
        .describe("Replaces the list (JSON Merge Patch: arrays are replaced whole)"),
    })
    .optional(),
});

export type WorkspaceSettings = z.infer<typeof workspaceSettingsSchema>;
type UpdateWorkspaceSettings = z.infer<typeof updateWorkspaceSettingsSchema>;

/** Whether this deployment can accept ID-JAGs at all: enterprise features on, and an SSO provider to trust. */
export function idJagDeploymentReady(): boolean {
  const { ENTERPRISE_ENABLED, OIDC_ISSUER } = env();
  return ENTERPRISE_ENABLED && Boolean(OIDC_ISSUER);
}

export function parseClientIds(stored: string): string[] {
  try {
    const value: unknown = JSON.parse(stored);
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}

function toSettings(row: { idJagEnabled: boolean; idJagClientIds: string }): WorkspaceSettings {
  return {
    enterprise_managed_authorization: {
      enabled: row.idJagEnabled,
      allowed_client_ids: parseClientIds(row.idJagClientIds),
      active: row.idJagEnabled && idJagDeploymentReady(),
    },
  };
}

const SELECT = { idJagEnabled: true, idJagClientIds: true } as const;

export async function getWorkspaceSettings(caller: Pick<Caller, "workspaceId">): Promise<WorkspaceSettings> {
  const row = await db().workspace.findUnique({ where: { id: caller.workspaceId }, select: SELECT });
  if (!row) throw new ApiError("not_found", "The workspace no longer exists");
  return toSettings(row);
}

/**
 * Merge-patches the settings; an omitted field stays as it is. A client no longer allowed (or every
 * client, when turned off) loses the tokens it got from ID-JAGs here at once, as a revoked app does.
 */
export async function updateWorkspaceSettings(caller: Pick<Caller, "workspaceId" | "userId">, patch: UpdateWorkspaceSettings): Promise<WorkspaceSettings> {
  const { settings, disallowed } = await saveSettings(caller, patch);
  await endEnterpriseGrants(caller.workspaceId, disallowed);
  return settings;
}

async function saveSettings(caller: Pick<Caller, "workspaceId" | "userId">, patch: UpdateWorkspaceSettings): Promise<{ settings: WorkspaceSettings; disallowed: string[] }> {
  const change = patch.enterprise_managed_authorization ?? {};
  return db().$transaction(async (tx) => {
    const row = await tx.workspace.findUnique({ where: { id: caller.workspaceId }, select: SELECT });
    if (!row) throw new ApiError("not_found", "The workspace no longer exists");
    const enabled = change.enabled ?? row.idJagEnabled;
    const clientIds = change.allowed_client_ids ?? parseClientIds(row.idJagClientIds);
    if (enabled && clientIds.length === 0) {
      throw new ApiError("validation_failed", "Allow at least one OAuth client to turn enterprise-managed authorization on", {
        errors: [{ path: "enterprise_managed_authorization.allowed_client_ids", message: "Allow at least one OAuth client" }],
      });
    }
    const next = { idJagEnabled: enabled, idJagClientIds: JSON.stringify(clientIds) };
    const fields = [
      ...(next.idJagEnabled !== row.idJagEnabled ? ["enterprise_managed_authorization.enabled"] : []),
      ...(next.idJagClientIds !== row.idJagClientIds ? ["enterprise_managed_authorization.allowed_client_ids"] : []),
    ];
    if (fields.length === 0) return { settings: toSettings(row), disallowed: [] };
    await tx.workspace.update({ where: { id: caller.workspaceId }, data: next });
    await recordAuditEvent(tx, { workspaceId: caller.workspaceId, actorUserId: caller.userId, action: "workspace.settings_updated", fields });
    const wasAllowed = row.idJagEnabled ? parseClientIds(row.idJagClientIds) : [];
    const disallowed = wasAllowed.filter((id) => !enabled || !clientIds.includes(id));
    return { settings: toSettings(next), disallowed };
  });
}

/** The workspaces that let `clientId` redeem ID-JAGs (enabled, and the client listed), whatever the deployment says. */
export async function workspacesAllowingIdJagClient(clientId: string): Promise<string[]> {
  const rows = await db().workspace.findMany({ where: { idJagEnabled: true }, select: { id: true, idJagClientIds: true }, take: 10_000 });
  return rows.filter((row) => parseClientIds(row.idJagClientIds).includes(clientId)).map((row) => row.id);
}
