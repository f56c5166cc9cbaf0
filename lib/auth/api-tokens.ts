// Personal access tokens: shown once, stored as a hash, acting as their user with the user's
// current role in the token's workspace. Revoking deletes the row.
import "server-only";
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { generateApiToken, hashApiToken } from "@/lib/crypto";
import { announceAuthChange } from "@/lib/auth/caller-cache";
import { setBounded } from "@/lib/bounded-map";
import { db, prismaErrorCode, uniqueViolationFields } from "@/lib/db";
import { processWide } from "@/lib/process-wide";
import { tidyTokenName, type apiTokenSchema } from "@/lib/auth/api-token-schemas";

type TokenRow = { id: string; name: string; prefix: string; lastUsedAt: Date | null; expiresAt: Date | null; createdAt: Date; workspace: { id: string; name: string } };

function toApiToken(row: TokenRow): z.infer<typeof apiTokenSchema> {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    workspace: { id: row.workspace.id, name: row.workspace.name },
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    expires_at: row.expiresAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
  };
}

export async function listApiTokens(options: { userId: string; workspaceId: string }) {
  const rows = await db().apiToken.findMany({
    where: { userId: options.userId, workspaceId: options.workspaceId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    include: { workspace: { select: { id: true, name: true } } },
  });
  return rows.map(toApiToken);
}

/** Names are compared as people read them: "CI deploy" and "ci  Deploy" are the same token to its owner. */
function nameKey(name: string): string {
  return tidyTokenName(name).toLowerCase();
}

export async function createApiToken(options: { userId: string; workspaceId: string; name: string; expiresInDays?: number }) {
  const name = tidyTokenName(options.name);
  const token = generateApiToken();
  const now = new Date();
  try {
    const row = await db().apiToken.create({
      data: {
        id: randomUUID(),
        userId: options.userId,
        workspaceId: options.workspaceId,
        name,
        // Unique per owner and workspace in the database: two requests racing for a name can't both have it.
        nameKey: nameKey(name),
        tokenHash: hashApiToken(token),
        prefix: token.slice(0, 12),
        expiresAt: options.expiresInDays ? new Date(now.getTime() + options.expiresInDays * 24 * 60 * 60_000) : null,
        createdAt: now,
      },
      include: { workspace: { select: { id: true, name: true } } },
    });
    return { ...toApiToken(row), token };
  } catch (error) {
    if (prismaErrorCode(error) === "P2002" && uniqueViolationFields(error).some((field) => /name_?key/i.test(field))) {
      const message = `You already have a token named “${name}” in this workspace; pick another name`;
      throw new ApiError("conflict", message, { errors: [{ path: "name", message }] });
    }
    throw error;
  }
}

export async function revokeApiToken(options: { userId: string; workspaceId: string; id: string }) {
  const { count } = await db().apiToken.deleteMany({
    where: { id: options.id, userId: options.userId, workspaceId: options.workspaceId },
  });
  if (count === 0) throw new ApiError("not_found", "No API token with this id");
  // Every instance forgets who this token was, now.
  await announceAuthChange({ kind: "token", id: options.id });
}

// last_used_at is written at most once a minute per token, not on every request.
const LAST_USED_GRANULARITY_MS = 60_000;
const lastUseWritten = processWide("api-token-last-use", () => new Map<string, number>());

/** Records a use of a token whose row was not read (a cached caller), at most once a minute. */
export function noteTokenUse(tokenId: string, lastUsedAt: number) {
  const now = Date.now();
  const written = lastUseWritten.get(tokenId) ?? lastUsedAt;
  if (now - written <= LAST_USED_GRANULARITY_MS) return;
  setBounded(lastUseWritten, tokenId, now, 10_000);
  void db().apiToken.updateMany({ where: { id: tokenId }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
}

export async function findApiTokenByHash(tokenHash: string) {
  const row = await db().apiToken.findUnique({ where: { tokenHash } });
  if (!row) return null;
  const now = new Date();
  // An expired token is refused (request-auth): its refusals are not uses.
  const live = !row.expiresAt || row.expiresAt > now;
  if (live && (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS)) {
    await db().apiToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: now } });
    setBounded(lastUseWritten, row.id, now.getTime(), 10_000);
  }
  return row;
}
