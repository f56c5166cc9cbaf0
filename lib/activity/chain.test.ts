import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalRecord, GENESIS_HASH, HASH_VERSION, recordHash, type ChainedRecord } from "@/lib/activity/chain";

const record: ChainedRecord = {
  id: "0b6f3c1e-8a2d-4c7e-9f10-2a3b4c5d6e7f",
  workspaceId: "w1",
  seq: 1,
  createdAt: new Date("2026-12-07T03:00:00.123Z"),
  userId: "u1",
  userEmail: "ann@example.test",
  providerId: "p1",
  providerName: "Linear ✓",
  tool: "search",
  via: "gateway",
  outcome: "ok",
  durationMs: 12,
  identity: "off",
  requestId: "r1",
  arguments: null,
  approval: null,
  result: null,
};

describe("the activity chain's canonical form", () => {
  it("is a JSON array in a fixed order, versioned, ending with the previous hash", () => {
    expect(canonicalRecord({ ...record, approval: "approved:console" }, GENESIS_HASH)).toBe(
      `["mcp-console/tool-call",2,"w1",1,"0b6f3c1e-8a2d-4c7e-9f10-2a3b4c5d6e7f","2026-12-07T03:00:00.123Z","u1","ann@example.test","p1","Linear ✓","search","gateway","ok",12,"off","r1",null,null,"approved:console","${GENESIS_HASH}"]`,
    );
    expect(HASH_VERSION).toBe(2);
  });

  it("still writes version 1, without the approval, as records from before version 2 were hashed", () => {
    expect(canonicalRecord(record, GENESIS_HASH, 1)).toBe(
      `["mcp-console/tool-call",1,"w1",1,"0b6f3c1e-8a2d-4c7e-9f10-2a3b4c5d6e7f","2026-12-07T03:00:00.123Z","u1","ann@example.test","p1","Linear ✓","search","gateway","ok",12,"off","r1",null,null,"${GENESIS_HASH}"]`,
    );
    expect(recordHash(record, GENESIS_HASH, 1)).not.toBe(recordHash(record, GENESIS_HASH, 2));
  });

  it("hashes to SHA-256 of that text, in lowercase hex, which anyone can recompute", () => {
    const expected = createHash("sha256").update(canonicalRecord(record, GENESIS_HASH), "utf8").digest("hex");
    expect(recordHash(record, GENESIS_HASH)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it("changes when any stored field or the previous hash changes", () => {
    const base = recordHash(record, GENESIS_HASH);
    const changes: Partial<ChainedRecord>[] = [
      { id: "other" }, { workspaceId: "w2" }, { seq: 2 }, { createdAt: new Date("2026-12-07T03:00:00.124Z") }, { userId: "u2" },
      { userEmail: "bob@example.test" }, { providerId: "p2" }, { providerName: "Linear" }, { tool: "Search" }, { via: "api" },
      { outcome: "tool_error" }, { durationMs: 13 }, { identity: "idp_token" }, { requestId: "r2" }, { arguments: "{}" }, { result: "null" },
    ];
    const hashes = changes.map((change) => recordHash({ ...record, ...change }, GENESIS_HASH));
    expect(new Set([base, ...hashes]).size).toBe(changes.length + 1);
    expect(recordHash(record, "f".repeat(64))).not.toBe(base);
  });

  it("tells an absent value from an empty one, and fields apart however their text runs together", () => {
    expect(recordHash({ ...record, arguments: "" }, GENESIS_HASH)).not.toBe(recordHash(record, GENESIS_HASH));
    expect(recordHash({ ...record, userId: "ab", userEmail: "c" }, GENESIS_HASH)).not.toBe(recordHash({ ...record, userId: "a", userEmail: "bc" }, GENESIS_HASH));
    expect(recordHash({ ...record, providerName: 'x","y' }, GENESIS_HASH)).not.toBe(recordHash({ ...record, providerName: "x", providerId: "y" }, GENESIS_HASH));
  });
});
