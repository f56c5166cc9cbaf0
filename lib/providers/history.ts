// A provider's change history, read from the audit events: who created it and who changed which
// settings, newest first. Names of settings only, never values (lib/audit.ts records no values).
import "server-only";
import { z } from "zod";
import { newestFirstPage } from "@/lib/api/cursor";
import { db } from "@/lib/db";
import { providerExists } from "@/lib/providers/data";
import { parseStoredJson } from "@/lib/providers/record";

export const providerEventSchema = z.object({
  id: z.uuid(),
  at: z.iso.datetime(),
  action: z.enum(["created", "updated"]),
  actor: z.object({ id: z.string(), email: z.string().nullable().describe("null: the user no longer exists") }),
  fields: z.array(z.string()).describe('The settings it set or changed, by API name ("server_url", "headers.X-Api-Key"); never their values'),
});
export type ProviderEvent = z.infer<typeof providerEventSchema>;

export async function listProviderHistory(options: { workspaceId: string; id: string; limit: number; cursor?: string }): Promise<{ data: ProviderEvent[]; next_cursor: string | null }> {
  await providerExists(options); // a provider of another workspace (or none) is a 404, not an empty history
  const paging = newestFirstPage(options);
  const { rows: page, next_cursor } = paging.cut(
    await db().auditEvent.findMany({
      where: { workspaceId: options.workspaceId, providerId: options.id, action: { in: ["provider.created", "provider.updated"] }, ...paging.where },
      orderBy: paging.orderBy,
      take: paging.take,
    }),
  );
  const actors = await db().user.findMany({ where: { id: { in: [...new Set(page.map((row) => row.actorUserId))] } }, select: { id: true, email: true } });
  const emails = new Map(actors.map((actor) => [actor.id, actor.email]));
  return {
    data: page.map((row) => ({
      id: row.id,
      at: row.createdAt.toISOString(),
      action: row.action === "provider.created" ? "created" : "updated",
      actor: { id: row.actorUserId, email: emails.get(row.actorUserId) ?? null },
      fields: parseStoredJson(z.array(z.string()), row.fields, "audit fields", { id: options.id }) ?? [],
    })),
    next_cursor,
  };
}
