// oidc-provider's storage on the console's database, so every instance shares the authorization
// server's state (grants, codes, tokens, interactions, registered clients). One table, keyed by
// (model, id); a row past its expiry is treated as gone and pruned later. Ids of codes and tokens
// are the bearer secrets themselves, so a row is keyed by a keyed hash of its id and its payload is
// encrypted: a copy of the database holds no usable token.
import "server-only";
import type { Adapter, AdapterPayload } from "oidc-provider";
import { secrets } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

const box = () => secrets(env().encryptionKey);
const keyOf = (id: string) => box().hash(`oauth:${id}`);

type Row = { payload: string; expiresAt: Date | null; consumedAt: Date | null };

function livePayload(row: Row | null, now = Date.now()): AdapterPayload | undefined {
  if (!row || (row.expiresAt && row.expiresAt.getTime() <= now)) return undefined;
  const payload = JSON.parse(box().decrypt(row.payload)) as AdapterPayload;
  return row.consumedAt ? { ...payload, consumed: Math.floor(row.consumedAt.getTime() / 1000) } : payload;
}

const SELECT = { payload: true, expiresAt: true, consumedAt: true } as const;

export class PrismaAdapter implements Adapter {
  constructor(private readonly model: string) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const columns = {
      payload: box().encrypt(JSON.stringify(payload)),
      grantId: payload.grantId ?? null,
      uid: payload.uid ?? null,
      userCode: payload.userCode ?? null,
      expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
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

/** Everything stored under a grant — its codes and tokens, and the grant itself — ends now. */
export async function destroyGrant(grantId: string) {
  await db().oAuthRecord.deleteMany({ where: { OR: [{ grantId }, { model: "Grant", id: keyOf(grantId) }] } });
}

export async function pruneExpiredOAuthRecords(now = new Date()) {
  const { count } = await db().oAuthRecord.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
