// Provider data access. The workspace is always in the `where` clause: ownership and existence are
// decided in one query, and duplicates are decided by the database's unique constraints.
import "server-only";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { newestFirstPage } from "@/lib/api/cursor";
import { ApiError } from "@/lib/api/errors";
import { recordAuditEvent } from "@/lib/audit";
import { db, isPostgres, prismaErrorCode, uniqueViolationFields } from "@/lib/db";
import { withMaskedColumns } from "@/lib/providers/backfill";
import { cachedPage, providersChanged } from "@/lib/providers/list-cache";
import { applyProviderPatch, changedFields } from "@/lib/providers/merge-patch";
import { oauthBinding, SHOWN_ROW_OMITS, toColumns, toDocument, toProvider, type ProviderRow, type StoredProviderDocument } from "@/lib/providers/record";
import type { Provider, ProviderDocument, ProviderPatch } from "@/lib/providers/schemas";
import { forgetProviderSeries } from "@/lib/observability/metrics";

/** A discovery about to run: the provider shows as being checked. */
export function discoveryPending(now = new Date()) {
  return { discoveryStatus: "pending", discoveryFailure: null, discoveryMessage: null, discoveryAt: now };
}

/** What an update leaves of the last discovery: a new URL is another server, whose tools are unknown. */
function discoveryReset(urlChanged: boolean) {
  return urlChanged ? { tools: "[]", toolsCount: 0, authed: false, toolsFetchedAt: null, ...discoveryPending() } : {};
}

const notFound = () => new ApiError("not_found", "No provider with this id in your workspace");

type UniqueColumns = { name: string; serverIdentifier: string; serverUrlHash: string };

const CONFLICT_FIELDS: { key: keyof UniqueColumns; constraint: RegExp; path: string; message: string }[] = [
  { key: "name", constraint: /(^|_)name|\bname\b/i, path: "name", message: "Another provider already has this name" },
  { key: "serverIdentifier", constraint: /server_?identifier/i, path: "server_identifier", message: "Another provider already uses this identifier" },
  { key: "serverUrlHash", constraint: /server_?url_?hash/i, path: "server_url", message: "Another provider already uses this server URL" },
];

/**
 * P2002 becomes a 409 naming every field that collides with another provider of the workspace (the
 * database names only the first constraint it hit), so the form shows them all at once. Anything
 * else is rethrown.
 */
async function asConflict(error: unknown, attempted: UniqueColumns & { workspaceId: string; id: string }): Promise<unknown> {
  if (prismaErrorCode(error) !== "P2002") return error;
  const { workspaceId, id, name, serverIdentifier, serverUrlHash } = attempted;
  const others = await db().mcpProvider.findMany({
    where: { workspaceId, id: { not: id }, OR: [{ name }, { serverIdentifier }, { serverUrlHash }] },
    select: { name: true, serverIdentifier: true, serverUrlHash: true },
  });
  let clashes = CONFLICT_FIELDS.filter((field) => others.some((other) => other[field.key] === attempted[field.key]));
  // Gone again by now (deleted in between): say what the database said.
  if (clashes.length === 0) clashes = [CONFLICT_FIELDS.find((field) => field.constraint.test(uniqueViolationFields(error).join(" "))) ?? CONFLICT_FIELDS[0]];
  return new ApiError("conflict", clashes.map((field) => field.message).join("; "), { errors: clashes.map(({ path, message }) => ({ path, message })) });
}

export async function listProviders(options: { workspaceId: string; limit: number; cursor?: string; q?: string }) {
  const { workspaceId, limit, cursor, q } = options;
  return cachedPage(workspaceId, { limit, cursor, q }, () => readPage(workspaceId, limit, cursor, q));
}

async function readPage(workspaceId: string, limit: number, cursor?: string, q?: string) {
  const contains = (value: string) => ({ contains: value, ...(isPostgres() ? { mode: "insensitive" as const } : {}) });
  const paging = newestFirstPage({ limit, cursor });
  const { rows, next_cursor } = paging.cut(
    await db().mcpProvider.findMany({
      where: { workspaceId, AND: [q ? { OR: [{ name: contains(q) }, { serverIdentifier: contains(q) }] } : {}, paging.where] },
      orderBy: paging.orderBy,
      take: paging.take,
      omit: SHOWN_ROW_OMITS,
    }),
  );
  return { data: (await withMaskedColumns(rows)).map(toProvider), next_cursor };
}

export async function findProviderRow(options: { workspaceId: string; id: string }): Promise<ProviderRow> {
  const row = await db().mcpProvider.findFirst({ where: { id: options.id, workspaceId: options.workspaceId } });
  if (!row) throw notFound();
  return row;
}

/** Throws the provider 404 unless the workspace has it; reads only its id. */
export async function providerExists(options: { workspaceId: string; id: string }): Promise<void> {
  if (!(await db().mcpProvider.findFirst({ where: { id: options.id, workspaceId: options.workspaceId }, select: { id: true } }))) throw notFound();
}

export async function getProvider(options: { workspaceId: string; id: string }): Promise<Provider> {
  const [row] = await withMaskedColumns([await findProviderRow(options)]);
  return toProvider(row);
}

export async function createProvider(options: { workspaceId: string; userId: string; input: ProviderDocument }) {
  const { workspaceId, userId, input } = options;
  const now = new Date();
  const id = randomUUID();
  const columns = toColumns(input); // encrypted once, for the write and a conflict's report
  try {
    const row = await db().$transaction(async (tx) => {
      const created = await tx.mcpProvider.create({
        data: { id, workspaceId, createdBy: userId, createdAt: now, updatedAt: now, ...columns, ...discoveryPending(now) },
      });
      await recordAuditEvent(tx, {
        workspaceId, actorUserId: userId, action: "provider.created", providerId: id, fields: Object.keys(input).sort(),
      });
      return created;
    });
    await providersChanged(workspaceId);
    return toProvider(row);
  } catch (error) {
    throw await asConflict(error, { workspaceId, id, ...columns });
  }
}

const MAX_ATTEMPTS = 100;

/**
 * Merge-patches a provider. Optimistic concurrency: the write only lands on the version the patch
 * was applied to. With If-Match a lost race is a 412; without it, the patch is re-applied to the
 * newer version, so concurrent patches of different fields all persist.
 */
export async function updateProvider(options: {
  workspaceId: string;
  userId: string;
  id: string;
  patch: ProviderPatch;
  expectedVersion?: number;
}): Promise<{ provider: Provider; droppedSecrets: string[]; urlChanged: boolean }> {
  const { workspaceId, userId, id, patch, expectedVersion } = options;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const row = await findProviderRow({ workspaceId, id });
    if (expectedVersion !== undefined && row.version !== expectedVersion) throw stale(row.version);
    const before = toDocument(row);
    const { document: after, droppedSecrets } = applyProviderPatch(before, patch);
    const fields = changedFields(before, after);
    if (fields.length === 0) return { provider: toProvider(row), droppedSecrets: [], urlChanged: false };
    const urlChanged = fields.includes("server_url");
    const columns = toColumns(after);

    let updated: ProviderRow | null;
    try {
      updated = await db().$transaction(async (tx) => {
        const { count } = await tx.mcpProvider.updateMany({
          where: { id, workspaceId, version: row.version },
          data: { ...columns, ...discoveryReset(urlChanged), version: row.version + 1, updatedAt: new Date() },
        });
        if (count === 0) return null;
        // Users' own tool views belong to the server: a new URL drops them, any other edit keeps them.
        if (urlChanged) await tx.providerToolView.deleteMany({ where: { providerId: id } });
        else await tx.providerToolView.updateMany({ where: { providerId: id, providerVersion: row.version }, data: { providerVersion: row.version + 1 } });
        // OAuth connections belong to the server and the client they were made with.
        if (oauthConnectionsEnd(before, after)) await tx.upstreamConnection.deleteMany({ where: { providerId: id } });
        await recordAuditEvent(tx, { workspaceId, actorUserId: userId, action: "provider.updated", providerId: id, fields });
        return tx.mcpProvider.findFirst({ where: { id, workspaceId } });
      });
    } catch (error) {
      throw await asConflict(error, { workspaceId, id, ...columns });
    }
    if (updated) {
      await providersChanged(workspaceId);
      return { provider: toProvider(updated), droppedSecrets, urlChanged };
    }
    if (expectedVersion !== undefined) throw stale();
    await sleep(Math.random() * 10 * Math.min(attempt + 1, 5));
  }
  throw new ApiError("conflict", "The provider is being changed by many requests at once; try again");
}

/** A new server, no OAuth any more, another kind of connection or another client: connections made before don't carry over. */
function oauthConnectionsEnd(before: StoredProviderDocument, after: StoredProviderDocument): boolean {
  return !after.authentication || oauthBinding(before) !== oauthBinding(after);
}

function stale(current?: number) {
  return new ApiError(
    "precondition_failed",
    current === undefined
      ? "The provider changed since you read it; fetch it again and retry"
      : `The provider is at version ${current}; fetch it again and retry`,
  );
}

export async function deleteProvider(options: { workspaceId: string; userId: string; id: string }) {
  const { workspaceId, userId, id } = options;
  await db().$transaction(async (tx) => {
    const { count } = await tx.mcpProvider.deleteMany({ where: { id, workspaceId } });
    if (count === 0) throw notFound();
    await recordAuditEvent(tx, { workspaceId, actorUserId: userId, action: "provider.deleted", providerId: id });
  });
  forgetProviderSeries(id);
  await providersChanged(workspaceId);
}
