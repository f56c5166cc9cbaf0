// How a finished (or failed) Connect is told to the page the browser lands on. The words travel in
// the URL, so they are signed: a link anyone else makes shows no text of theirs in the console.
import "server-only";
import { constantTimeEqual, secrets } from "@/lib/crypto";
import { env } from "@/lib/env";

const MESSAGE_MAX = 300;

function signatureOf(message: string): string {
  return secrets(env().encryptionKey).hash(`oauth-outcome\0${message}`);
}

/** The query for the page: connected, or failed with why. */
export function outcomeQuery(failure: string | undefined): string {
  if (failure === undefined) return "connection=connected";
  const message = failure.slice(0, MESSAGE_MAX);
  return new URLSearchParams({ connection: "failed", message, sig: signatureOf(message) }).toString();
}

/** What the page may show: the message the callback signed, else nothing of the URL's. */
export function signedFailure(params: { connection?: string; message?: string; sig?: string }): string | undefined {
  if (params.connection !== "failed") return undefined;
  const { message, sig } = params;
  return message && sig && message.length <= MESSAGE_MAX && constantTimeEqual(sig, signatureOf(message)) ? message : "the sign-in didn't finish";
}
