-- A token's name is unique per owner and workspace as its owner reads it (name_key, written by
-- lib/auth/api-tokens.ts, and here lower() of the stored name, which creation has tidied). Where two
-- existing tokens already share a name, the later ones are renamed "<name> (<first 8 of its id>)":
-- no token is lost, and each can still be told apart and revoked.
-- AlterTable
ALTER TABLE "api_tokens" ADD COLUMN "name_key" TEXT;
UPDATE "api_tokens" SET "name_key" = lower("name");
UPDATE "api_tokens" SET "name" = "name" || ' (' || substr("id", 1, 8) || ')', "name_key" = "name_key" || ' (' || substr("id", 1, 8) || ')'
WHERE "id" IN (SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "user_id", "workspace_id", "name_key" ORDER BY "created_at", "id") AS "n" FROM "api_tokens") AS "ranked" WHERE "n" > 1);
ALTER TABLE "api_tokens" ALTER COLUMN "name_key" SET NOT NULL;

-- DropIndex
DROP INDEX "api_tokens_user_id_workspace_id_idx";

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_user_id_workspace_id_name_key_key" ON "api_tokens"("user_id", "workspace_id", "name_key");
