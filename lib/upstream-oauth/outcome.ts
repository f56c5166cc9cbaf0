// How a finished (or failed) Connect is told to the page the browser lands on. The words travel in
// the URL, so they are signed for the user who finished the sign-in, the provider it was for and a
// short while: a link anyone else makes (or one made for someone else) shows no text of theirs.
import "server-only";
import { constantTimeEqual, secrets } from "@/lib/crypto";
import { env } from "@/lib/env";

const MESSAGE_MAX = 300;
/** A failure is shown on the page the callback sends the browser to, at once; a link kept longer shows nothing. */
const SHOWN_FOR_MS = 10 * 60_000;

/** Whose page shows the message: the signed-in user, on a provider's page (or the list: no provider). */
export type OutcomeReader = { userId: string; providerId?: string };

function signatureOf(message: string, at: string, reader: OutcomeReader): string {
  return secrets(env().encryptionKey).hash(`oauth-outcome\0${reader.userId}\0${reader.providerId ?? ""}\0${at}\0${message}`);
}

/** The query for the page `reader` lands on: connected, or failed with why. */
export function outcomeQuery(failure: string | undefined, reader: OutcomeReader, now = Date.now()): string {
  if (failure === undefined) return "connection=connected";
  const message = failure.slice(0, MESSAGE_MAX);
  const at = String(now);
  return new URLSearchParams({ connection: "failed", message, at, sig: signatureOf(message, at, reader) }).toString();
}

/** What `reader`'s page may show: the message the callback signed for them, lately; else nothing of the URL's. */
export function signedFailure(params: { connection?: string; message?: string; at?: string; sig?: string }, reader: OutcomeReader, now = Date.now()): string | undefined {
  if (params.connection !== "failed") return undefined;
  const { message, at, sig } = params;
  const fresh = at !== undefined && /^\d{1,15}$/.test(at) && now - Number(at) <= SHOWN_FOR_MS && Number(at) <= now + 60_000;
  const genuine = message && sig && fresh && message.length <= MESSAGE_MAX && constantTimeEqual(sig, signatureOf(message, at, reader));
  return genuine ? message : "the sign-in didn't finish";
}
