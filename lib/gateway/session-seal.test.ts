import { afterEach, describe, expect, it } from "vitest";
import { createSealer } from "@/lib/crypto";
import { env, resetEnvForTests } from "@/lib/env";
import { MAX_SEALED_SESSION_ID, openSession, sealSession, type RelaySession } from "@/lib/gateway/session-seal";

const session: Omit<RelaySession, "expiresAt"> = {
  userId: "3c0f8c1e-0000-4000-8000-000000000001",
  workspaceId: "3c0f8c1e-0000-4000-8000-000000000002",
  providerId: "3c0f8c1e-0000-4000-8000-000000000003",
  providerVersion: 4,
  serverHash: "0123456789abcdef",
  upstreamSessionId: "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
  protocolVersion: "2025-11-25",
};
const DAY = 24 * 60 * 60_000;

/** The id with one character of its ciphertext changed (not the last, which may hold only padding bits). */
function changedAt(id: string, at: number): string {
  return id.slice(0, at) + (id[at] === "A" ? "B" : "A") + id.slice(at + 1);
}

const consoleKey = process.env.ENCRYPTION_KEY;
afterEach(() => {
  process.env.ENCRYPTION_KEY = consoleKey;
  resetEnvForTests();
});

describe("the relay's sealed session id", () => {
  it("opens to what was sealed, for a day", () => {
    const now = Date.now();
    const id = sealSession(session, now);
    expect(openSession(id, now)).toEqual({ ...session, elicitation: false, expiresAt: now + DAY });
    expect(openSession(sealSession({ ...session, elicitation: true }, now), now)?.elicitation).toBe(true);
    expect(openSession(id, now + DAY - 1)).toBeDefined();
    expect(openSession(id, now + DAY)).toBeUndefined();
  });

  it("shows nothing of what it carries, and differs every time it is made", () => {
    const one = sealSession(session);
    const two = sealSession(session);
    expect(one).not.toBe(two);
    const readings = [one, ...one.split(".")].flatMap((part) => [part, Buffer.from(part, "base64url").toString("latin1")]);
    for (const reading of readings) {
      expect(reading).not.toContain(session.upstreamSessionId);
      expect(reading).not.toContain(session.userId);
    }
  });

  it("doesn't open once any character of it is changed", () => {
    const id = sealSession(session);
    const [format, iv, tag] = id.split(".");
    const ciphertextStart = format.length + iv.length + tag.length + 3;
    for (const at of [format.length + 2, format.length + iv.length + 3, ciphertextStart, ciphertextStart + 20, id.length - 5]) {
      expect(openSession(changedAt(id, at)), `changed at ${at}`).toBeUndefined();
    }
    expect(openSession(id.split(".").slice(0, 3).join("."))).toBeUndefined();
    expect(openSession("")).toBeUndefined();
    expect(openSession("not a session")).toBeUndefined();
  });

  it("doesn't open under another key, nor what the console sealed for another purpose", () => {
    const id = sealSession(session);
    const secretBoxValue = createSealer(env().encryptionKey, "encrypt").seal(JSON.stringify({ u: "x", w: "x", p: "x", v: 1, h: "x", s: "", pv: "", e: Date.now() + DAY }));
    expect(openSession(secretBoxValue)).toBeUndefined();
    process.env.ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");
    resetEnvForTests();
    expect(openSession(id)).toBeUndefined();
  });

  it("doesn't open a well-sealed value that isn't a session", () => {
    const sealer = createSealer(env().encryptionKey, "gateway-session");
    expect(openSession(sealer.seal("{}"))).toBeUndefined();
    expect(openSession(sealer.seal("not json"))).toBeUndefined();
    expect(openSession(sealer.seal(JSON.stringify({ u: "a", w: "b", p: "c", v: "4", h: "d", s: "", pv: "", e: Date.now() + DAY })))).toBeUndefined();
  });

  it("refuses an id longer than it ever hands out, even a genuine one, without opening it", () => {
    const longest = sealSession({ ...session, upstreamSessionId: "x".repeat(512), protocolVersion: "p".repeat(64) });
    expect(longest.length).toBeLessThanOrEqual(MAX_SEALED_SESSION_ID);
    expect(openSession(longest)).toBeDefined();
    const tooLong = sealSession({ ...session, userId: "u".repeat(MAX_SEALED_SESSION_ID) });
    expect(tooLong.length).toBeGreaterThan(MAX_SEALED_SESSION_ID);
    expect(openSession(tooLong)).toBeUndefined();
  });
});
