-- One SSO identity per user and issuer: keep the one used last, as the token issuer picked the
-- most recently updated one. The others are unlinked and will not be linked again by email.
DELETE FROM "sso_accounts" WHERE "id" IN (
  SELECT a."id" FROM "sso_accounts" a
  JOIN "sso_accounts" b ON a."user_id" = b."user_id" AND a."issuer" = b."issuer"
   AND (b."updated_at" > a."updated_at" OR (b."updated_at" = a."updated_at" AND b."id" > a."id"))
);

-- DropIndex
DROP INDEX "sso_accounts_user_id_idx";

-- AlterTable
ALTER TABLE "sso_accounts" ADD COLUMN     "refresh_lease_id" TEXT,
ADD COLUMN     "refresh_lease_until" TIMESTAMP(3),
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "provider_tool_views" (
    "provider_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "provider_version" INTEGER NOT NULL,
    "tools" TEXT NOT NULL DEFAULT '[]',
    "authed" BOOLEAN NOT NULL,
    "fetched_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "provider_tool_views_pkey" PRIMARY KEY ("provider_id","user_id")
);

-- CreateIndex
CREATE INDEX "provider_tool_views_user_id_idx" ON "provider_tool_views"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "sso_accounts_user_id_issuer_key" ON "sso_accounts"("user_id", "issuer");

-- AddForeignKey
ALTER TABLE "provider_tool_views" ADD CONSTRAINT "provider_tool_views_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "tool_mcp_providers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "provider_tool_views" ADD CONSTRAINT "provider_tool_views_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "users" ADD COLUMN "identity_version" INTEGER NOT NULL DEFAULT 1;
