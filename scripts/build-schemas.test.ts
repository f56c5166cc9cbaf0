import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderSchemas } from "./build-schemas.mjs";

const root = path.resolve(import.meta.dirname, "..");

describe("Prisma schemas", () => {
  it("are what prisma/models.prisma says, for both databases (no drift: run npm run db:schemas)", () => {
    for (const [file, expected] of Object.entries(renderSchemas())) {
      expect(readFileSync(path.join(root, file), "utf8"), file).toBe(expected);
    }
  });

  it("differ only in the datasource and SQLite's missing native types", () => {
    const schemas = renderSchemas();
    const sqlite = schemas["prisma/sqlite/schema.prisma"];
    expect(sqlite).not.toMatch(/@db\.\w/);
    expect(schemas["prisma/postgres/schema.prisma"]).toContain('identityMode          String    @default("off") @map("identity_mode") @db.VarChar(32)');
  });
});
