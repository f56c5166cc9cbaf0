// oidc-provider's storage on the console's database, so every instance shares the authorization
// server's state (grants, codes, tokens, interactions, registered clients). One table, keyed by
// (model, id); a row past its expiry is gone: deleted when read, and by a frequent bounded prune.
// Dynamically registered clients expire when unused (CLIENT_IDLE_SECONDS). Ids of codes and tokens
// are the bearer secrets themselves, so a row is keyed by a keyed hash of its id and its payload is
// encrypted: a copy of the database holds no usable token.
import "server-only";
import type { Adapter, AdapterPayload } from "oidc-provider";
import { secrets } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

const box = () => secrets(env().encryptionKey);
/** The stored id of a record: a keyed hash of its id. */
export const oauthRecordKey = (id: string) => box().hash(`oauth:${id}`);
const keyOf = oauthRecordKey;

/**
 * A registered client no one has used for this long is deleted: its refresh tokens have expired
 * by then too (they live as long and are renewed by every use), so nothing still works through it.
 */
export const CLIENT_IDLE_SECONDS = 30 * 24 * 60 * 60;
// A client's expiry moves on at most once a day, not at every request.
const CLIENT_TOUCH_SECONDS = 24 * 60 * 60;

type Row = { model: string; id: string; payload: string; expiresAt: Date | null; consumedAt: Date | null };

async function livePayload(row: Row | null, now = Date.now()): Promise<AdapterPayload | undefined> {
  if (!row) return undefined;
  if (row.expiresAt && row.expiresAt.getTime() <= now) {
    await db().oAuthRecord.deleteMany({ where: { model: row.model, id: row.id, expiresAt: { lte: new Date(now) } } });
    return undefined;
  }
  if (row.model === "Client" && (!row.expiresAt || row.expiresAt.getTime() < now + (CLIENT_IDLE_SECONDS - CLIENT_TOUCH_SECONDS) * 1000)) {
    await db().oAuthRecord.updateMany({ where: { model: row.model, id: row.id }, data: { expiresAt: new Date(now + CLIENT_IDLE_SECONDS * 1000) } });
  }
  const payload = JSON.parse(box().decrypt(row.payload)) as AdapterPayload;
  return row.consumedAt ? { ...payload, consumed: Math.floor(row.consumedAt.getTime() / 1000) } : payload;
}

const SELECT = { model: true, id: true, payload: true, expiresAt: true, consumedAt: true } as const;

export class PrismaAdapter implements Adapter {
  constructor(private readonly model: string) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const columns = {
      payload: box().encrypt(JSON.stringify(payload)),
      grantId: payload.grantId ?? null,
      uid: payload.uid ?? null,
      userCode: payload.userCode ?? null,
      expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : this.model === "Client" ? new Date(Date.now() + CLIENT_IDLE_SECONDS * 1000) : null,
    };
    await db().oAuthRecord.upsert({
      where: { model_id: { model: this.model, id: keyOf(id) } },
      create: { model: this.model, id: keyOf(id), ...columns },
      update: columns,
    });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return livePayload(await db().oAuthRecord.findUnique({ where: { model_id: { model: this.model, id: keyOf(id) } }, select: SELECT }));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return livePayload(await db().oAuthRecord.findFirst({ where: { model: this.model, uid }, select: SELECT }));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return livePayload(await db().oAuthRecord.findFirst({ where: { model: this.model, userCode }, select: SELECT }));
  }

  async consume(id: string): Promise<void> {
    await db().oAuthRecord.updateMany({ where: { model: this.model, id: keyOf(id) }, data: { consumedAt: new Date() } });
  }

  async destroy(id: string): Promise<void> {
    await db().oAuthRecord.deleteMany({ where: { model: this.model, id: keyOf(id) } });
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await db().oAuthRecord.deleteMany({ where: { model: this.model, grantId } });
  }
}

/** Whether `clientId` is a registered client that hasn't expired, read without touching its expiry. */
export async function isRegisteredClient(clientId: string): Promise<boolean> {
  const row = await db().oAuthRecord.findUnique({ where: { model_id: { model: "Client", id: keyOf(clientId) } }, select: { expiresAt: true } });
  return row !== null && (!row.expiresAt || row.expiresAt.getTime() > Date.now());
}

/** Everything stored under a grant — its codes and tokens, and the grant itself — ends now. */
export async function destroyGrant(grantId: string) {
  await db().oAuthRecord.deleteMany({ where: { OR: [{ grantId }, { model: "Grant", id: keyOf(grantId) }] } });
}

/** Deletes up to `limit` expired rows (a bounded delete, so a frequent prune is always quick); returns how many. */
export async function pruneExpiredOAuthRecords(now = new Date(), limit = 1000) {
  // Clients registered before unused ones expired get the idle time from now on.
  await db().oAuthRecord.updateMany({ where: { model: "Client", expiresAt: null }, data: { expiresAt: new Date(now.getTime() + CLIENT_IDLE_SECONDS * 1000) } });
  // The oldest `limit` expiries end at this one: delete up to it (rows expiring at the same instant go too).
  const last = await db().oAuthRecord.findFirst({ where: { expiresAt: { lt: now } }, select: { expiresAt: true }, orderBy: { expiresAt: "asc" }, skip: limit - 1 });
  const { count } = await db().oAuthRecord.deleteMany({ where: { expiresAt: { lt: now, ...(last?.expiresAt ? { lte: last.expiresAt } : {}) } } });
  return count;
}
