// Secrets at rest (AES-256-GCM), the URL uniqueness hash (HMAC), passwords (scrypt) and API token
// hashing. Sub-keys are derived from ENCRYPTION_KEY with HKDF so one key never serves two purposes.
import { createCipheriv, createDecipheriv, createHash, createHmac, hash, hkdfSync, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

const FORMAT = "v1";

function subKey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), `mcp-console/${purpose}`, 32));
}

/** AES-256-GCM under a key of its own for `purpose`: what one sealer seals, no other opens. */
export function createSealer(masterKey: Buffer, purpose: string) {
  const key = subKey(masterKey, purpose);
  return {
    seal(plaintext: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [FORMAT, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
    },
    /** Throws on anything it didn't seal (tampered, another key or purpose, not a sealed value). */
    open(sealed: string): string {
      const parts = sealed.split(".");
      if (parts.length !== 4) throw new Error("Unrecognised ciphertext format");
      const [format, iv = "", tag = "", ciphertext = ""] = parts;
      if (format !== FORMAT || !iv || !tag) throw new Error("Unrecognised ciphertext format");
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    },
  };
}

export type Sealer = ReturnType<typeof createSealer>;

/** What `make` derives from the current master key: once, and again only when the key changes (tests swap it). */
function followingKey<T>(masterKey: () => Buffer, make: (key: Buffer) => T): () => T {
  let cached: { key: Buffer; made: T } | undefined;
  return () => {
    const key = masterKey();
    if (!cached || !cached.key.equals(key)) cached = { key, made: make(key) };
    return cached.made;
  };
}

/** The sealer for `purpose` under the current master key. */
export function sealerFollowing(masterKey: () => Buffer, purpose: string): () => Sealer {
  return followingKey(masterKey, (key) => createSealer(key, purpose));
}

/** HMAC-SHA256 under a key of its own for `purpose`: proves the console wrote a value, to whoever holds ENCRYPTION_KEY. */
export function createSigner(masterKey: Buffer, purpose: string) {
  const key = subKey(masterKey, purpose);
  const sign = (text: string) => createHmac("sha256", key).update(text).digest("base64url");
  return {
    sign,
    verify(text: string, signature: string): boolean {
      const expected = Buffer.from(sign(text), "base64url");
      const given = Buffer.from(signature, "base64url");
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

export type Signer = ReturnType<typeof createSigner>;

/** The signer for `purpose` under the current master key. */
export function signerFollowing(masterKey: () => Buffer, purpose: string): () => Signer {
  return followingKey(masterKey, (key) => createSigner(key, purpose));
}

export function createSecretBox(masterKey: Buffer) {
  const sealer = createSealer(masterKey, "encrypt");
  const hashKey = subKey(masterKey, "hash");
  return {
    encrypt: (plaintext: string) => sealer.seal(plaintext),
    decrypt: (sealed: string) => sealer.open(sealed),
    /** A keyed hash: equal inputs compare equal, but the hash reveals nothing without the key. */
    hash(value: string): string {
      return createHmac("sha256", hashKey).update(value).digest("hex");
    },
  };
}

export type SecretBox = ReturnType<typeof createSecretBox>;

// scrypt with N=2^15, r=8: ~32 MiB and ~100 ms per hash, per OWASP's minimums for scrypt.
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const derived = await scryptAsync(password.normalize("NFKC"), salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString("base64url")}$${derived.toString("base64url")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const derived = await scryptAsync(password.normalize("NFKC"), Buffer.from(salt, "base64url"), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(derived, expected);
}

/** API tokens are 256 random bits, so a plain SHA-256 is a sound way to store them. */
export function hashApiToken(token: string): string {
  // One-shot: a gateway call hashes its caller's token, and a Hash object costs several times more.
  return hash("sha256", token, "hex");
}

/** Every personal API token starts with this; anything else a client sends is an OAuth token. */
export const API_TOKEN_PREFIX = "mcpc_";

export function generateApiToken(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash("sha256").update(a).digest();
  const right = createHash("sha256").update(b).digest();
  return timingSafeEqual(left, right);
}

let box: { key: Buffer; box: SecretBox } | undefined;

/** The process's secret box, keyed from ENCRYPTION_KEY. */
export function secrets(masterKey: Buffer): SecretBox {
  if (!box || !box.key.equals(masterKey)) box = { key: masterKey, box: createSecretBox(masterKey) };
  return box.box;
}
