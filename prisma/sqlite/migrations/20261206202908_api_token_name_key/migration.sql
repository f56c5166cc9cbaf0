-- A token's name is unique per owner and workspace as its owner reads it (name_key, written by
-- lib/auth/api-tokens.ts, and here lower() of the stored name, which creation has tidied). Where two
-- existing tokens already share a name, the later ones are renamed "<name> (<first 8 of its id>)":
-- no token is lost, and each can still be told apart and revoked.
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_api_tokens" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "name_key" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "last_used_at" DATETIME,
    "expires_at" DATETIME,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "api_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "api_tokens_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_api_tokens" ("created_at", "expires_at", "id", "last_used_at", "name", "name_key", "prefix", "token_hash", "user_id", "workspace_id") SELECT "created_at", "expires_at", "id", "last_used_at", "name", lower("name"), "prefix", "token_hash", "user_id", "workspace_id" FROM "api_tokens";
UPDATE "new_api_tokens" SET "name" = "name" || ' (' || substr("id", 1, 8) || ')', "name_key" = "name_key" || ' (' || substr("id", 1, 8) || ')'
WHERE "id" IN (SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "user_id", "workspace_id", "name_key" ORDER BY "created_at", "id") AS "n" FROM "new_api_tokens") WHERE "n" > 1);
DROP TABLE "api_tokens";
ALTER TABLE "new_api_tokens" RENAME TO "api_tokens";
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");
CREATE UNIQUE INDEX "api_tokens_user_id_workspace_id_name_key_key" ON "api_tokens"("user_id", "workspace_id", "name_key");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
