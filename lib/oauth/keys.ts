// The authorization server's signing keys (ID tokens, signed responses): made once, kept encrypted
// in the database, so every instance signs with the same keys and a restart invalidates nothing.
import "server-only";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import type { JWKS } from "oidc-provider";
import { secrets } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

const KEY = { model: "SigningKeys", id: "jwks" } as const;

function newKeySet(): JWKS {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: "jwk" }), kid: randomUUID(), alg: "RS256", use: "sig" }] };
}

export async function signingKeys(): Promise<JWKS> {
  const box = secrets(env().encryptionKey);
  const stored = await db().oAuthRecord.findUnique({ where: { model_id: KEY }, select: { payload: true } });
  if (stored) return JSON.parse(box.decrypt(stored.payload)) as JWKS;
  // Two instances starting together both try; the first row wins and both use it.
  await db().oAuthRecord.createMany({ data: [{ ...KEY, payload: box.encrypt(JSON.stringify(newKeySet())) }] }).catch(() => undefined);
  const row = await db().oAuthRecord.findUniqueOrThrow({ where: { model_id: KEY }, select: { payload: true } });
  return JSON.parse(box.decrypt(row.payload)) as JWKS;
}
