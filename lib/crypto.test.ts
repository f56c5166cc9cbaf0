import { describe, expect, it } from "vitest";
import { constantTimeEqual, createSecretBox, generateApiToken, hashApiToken, hashPassword, verifyPassword } from "@/lib/crypto";

const key = Buffer.alloc(32, 7);

describe("secret box", () => {
  it("round-trips, with a fresh IV each time", () => {
    const box = createSecretBox(key);
    const a = box.encrypt("hello secret");
    const b = box.encrypt("hello secret");
    expect(a).not.toBe(b);
    expect(a).not.toContain("hello");
    expect(box.decrypt(a)).toBe("hello secret");
    expect(box.decrypt(box.encrypt(""))).toBe("");
    expect(box.decrypt(box.encrypt("🔐 ünïcode"))).toBe("🔐 ünïcode");
  });

  it("refuses tampered ciphertext and the wrong key", () => {
    const box = createSecretBox(key);
    const sealed = box.encrypt("hello");
    const parts = sealed.split(".");
    const flipped = Buffer.from(parts[3], "base64url");
    flipped[0] ^= 1;
    expect(() => box.decrypt([...parts.slice(0, 3), flipped.toString("base64url")].join("."))).toThrow();
    expect(() => createSecretBox(Buffer.alloc(32, 8)).decrypt(sealed)).toThrow();
    expect(() => box.decrypt("garbage")).toThrow(/format/);
  });

  it("hashes with the key: equal inputs match, other keys give other hashes", () => {
    const box = createSecretBox(key);
    expect(box.hash("https://a/")).toBe(box.hash("https://a/"));
    expect(box.hash("https://a/")).not.toBe(createSecretBox(Buffer.alloc(32, 9)).hash("https://a/"));
  });
});

describe("passwords", () => {
  it("hash with scrypt and verify", async () => {
    const stored = await hashPassword("correct horse");
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("wrong horse", stored)).toBe(false);
    expect(await verifyPassword("x", "not-a-hash")).toBe(false);
  });
});

describe("API tokens", () => {
  it("are long, random and stored as a hash", () => {
    const token = generateApiToken();
    expect(token).toMatch(/^mcpc_[A-Za-z0-9_-]{43}$/);
    expect(generateApiToken()).not.toBe(token);
    expect(hashApiToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(constantTimeEqual("a", "a")).toBe(true);
    expect(constantTimeEqual("a", "b")).toBe(false);
  });
});
