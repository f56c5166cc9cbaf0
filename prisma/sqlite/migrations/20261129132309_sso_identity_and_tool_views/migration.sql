-- One SSO identity per user and issuer: keep the one used last, as the token issuer picked the
-- most recently updated one. The others are unlinked and will not be linked again by email.
DELETE FROM "sso_accounts" WHERE "id" IN (
  SELECT a."id" FROM "sso_accounts" a
  JOIN "sso_accounts" b ON a."user_id" = b."user_id" AND a."issuer" = b."issuer"
   AND (b."updated_at" > a."updated_at" OR (b."updated_at" = a."updated_at" AND b."id" > a."id"))
);

-- CreateTable
CREATE TABLE "provider_tool_views" (
    "provider_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "provider_version" INTEGER NOT NULL,
    "tools" TEXT NOT NULL DEFAULT '[]',
    "authed" BOOLEAN NOT NULL,
    "fetched_at" DATETIME NOT NULL,

    PRIMARY KEY ("provider_id", "user_id"),
    CONSTRAINT "provider_tool_views_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "tool_mcp_providers" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "provider_tool_views_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_sso_accounts" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "refresh_token_encrypted" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "refresh_lease_id" TEXT,
    "refresh_lease_until" DATETIME,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "sso_accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_sso_accounts" ("created_at", "id", "issuer", "refresh_token_encrypted", "subject", "updated_at", "user_id") SELECT "created_at", "id", "issuer", "refresh_token_encrypted", "subject", "updated_at", "user_id" FROM "sso_accounts";
DROP TABLE "sso_accounts";
ALTER TABLE "new_sso_accounts" RENAME TO "sso_accounts";
CREATE UNIQUE INDEX "sso_accounts_issuer_subject_key" ON "sso_accounts"("issuer", "subject");
CREATE UNIQUE INDEX "sso_accounts_user_id_issuer_key" ON "sso_accounts"("user_id", "issuer");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "provider_tool_views_user_id_idx" ON "provider_tool_views"("user_id");

-- AlterTable
ALTER TABLE "users" ADD COLUMN "identity_version" INTEGER NOT NULL DEFAULT 1;
