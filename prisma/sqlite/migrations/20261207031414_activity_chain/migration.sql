-- AlterTable
ALTER TABLE "tool_calls" ADD COLUMN "arguments" TEXT;
ALTER TABLE "tool_calls" ADD COLUMN "hash" TEXT;
ALTER TABLE "tool_calls" ADD COLUMN "hash_version" INTEGER;
ALTER TABLE "tool_calls" ADD COLUMN "prev_hash" TEXT;
ALTER TABLE "tool_calls" ADD COLUMN "result" TEXT;
ALTER TABLE "tool_calls" ADD COLUMN "seq" BIGINT;

-- CreateTable
CREATE TABLE "tool_call_chains" (
    "workspace_id" TEXT NOT NULL PRIMARY KEY,
    "seq" BIGINT NOT NULL,
    "hash" TEXT,
    "signature" TEXT,
    CONSTRAINT "tool_call_chains_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "tool_call_checkpoints" (
    "workspace_id" TEXT NOT NULL PRIMARY KEY,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    CONSTRAINT "tool_call_checkpoints_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_tool_mcp_providers" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "server_identifier" TEXT NOT NULL,
    "server_url_encrypted" TEXT NOT NULL,
    "server_url_hash" TEXT NOT NULL,
    "server_url_masked" TEXT,
    "headers_masked" TEXT,
    "client_secret_masked" TEXT,
    "icon" TEXT,
    "headers_encrypted" TEXT,
    "auth_type" TEXT,
    "oauth_connection" TEXT,
    "oauth_scope" TEXT,
    "client_id" TEXT,
    "client_secret_encrypted" TEXT,
    "oauth_grant" TEXT,
    "client_key_encrypted" TEXT,
    "client_key_masked" TEXT,
    "timeout" INTEGER NOT NULL DEFAULT 30,
    "sse_read_timeout" INTEGER NOT NULL DEFAULT 300,
    "identity_mode" TEXT NOT NULL DEFAULT 'off',
    "identity_settings" TEXT,
    "identity_client_secret_encrypted" TEXT,
    "identity_client_secret_masked" TEXT,
    "disabled_tools" TEXT NOT NULL DEFAULT '[]',
    "record_arguments" BOOLEAN NOT NULL DEFAULT false,
    "record_results" BOOLEAN NOT NULL DEFAULT false,
    "authed" BOOLEAN NOT NULL DEFAULT false,
    "tools" TEXT NOT NULL DEFAULT '[]',
    "tools_count" INTEGER NOT NULL DEFAULT 0,
    "tools_fetched_at" DATETIME,
    "discovery_status" TEXT NOT NULL DEFAULT 'unknown',
    "discovery_failure" TEXT,
    "discovery_message" TEXT,
    "discovery_at" DATETIME,
    "created_by" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT "tool_mcp_providers_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_tool_mcp_providers" ("auth_type", "authed", "client_id", "client_key_encrypted", "client_key_masked", "client_secret_encrypted", "client_secret_masked", "created_at", "created_by", "disabled_tools", "discovery_at", "discovery_failure", "discovery_message", "discovery_status", "headers_encrypted", "headers_masked", "icon", "id", "identity_client_secret_encrypted", "identity_client_secret_masked", "identity_mode", "identity_settings", "name", "oauth_connection", "oauth_grant", "oauth_scope", "server_identifier", "server_url_encrypted", "server_url_hash", "server_url_masked", "sse_read_timeout", "timeout", "tools", "tools_count", "tools_fetched_at", "updated_at", "version", "workspace_id") SELECT "auth_type", "authed", "client_id", "client_key_encrypted", "client_key_masked", "client_secret_encrypted", "client_secret_masked", "created_at", "created_by", "disabled_tools", "discovery_at", "discovery_failure", "discovery_message", "discovery_status", "headers_encrypted", "headers_masked", "icon", "id", "identity_client_secret_encrypted", "identity_client_secret_masked", "identity_mode", "identity_settings", "name", "oauth_connection", "oauth_grant", "oauth_scope", "server_identifier", "server_url_encrypted", "server_url_hash", "server_url_masked", "sse_read_timeout", "timeout", "tools", "tools_count", "tools_fetched_at", "updated_at", "version", "workspace_id" FROM "tool_mcp_providers";
DROP TABLE "tool_mcp_providers";
ALTER TABLE "new_tool_mcp_providers" RENAME TO "tool_mcp_providers";
CREATE INDEX "tool_mcp_providers_workspace_id_created_at_id_idx" ON "tool_mcp_providers"("workspace_id", "created_at", "id");
CREATE UNIQUE INDEX "tool_mcp_providers_workspace_id_name_key" ON "tool_mcp_providers"("workspace_id", "name");
CREATE UNIQUE INDEX "tool_mcp_providers_workspace_id_server_identifier_key" ON "tool_mcp_providers"("workspace_id", "server_identifier");
CREATE UNIQUE INDEX "tool_mcp_providers_workspace_id_server_url_hash_key" ON "tool_mcp_providers"("workspace_id", "server_url_hash");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- The records written before the chain existed join it, oldest first: numbered here, hashed from
-- the genesis value by the console when it starts (lib/activity/chain-store.ts, chainLegacyRecords)
-- — SQL can't compute the hash on both databases. Records after these are appended as usual.
UPDATE "tool_calls" SET "seq" = "numbered"."n"
FROM (SELECT "id", ROW_NUMBER() OVER (PARTITION BY "workspace_id" ORDER BY "created_at", "id") AS "n" FROM "tool_calls") AS "numbered"
WHERE "numbered"."id" = "tool_calls"."id";
INSERT INTO "tool_call_chains" ("workspace_id", "seq", "hash", "signature") SELECT "workspace_id", COUNT(*), NULL, NULL FROM "tool_calls" GROUP BY "workspace_id";

-- CreateIndex
CREATE UNIQUE INDEX "tool_calls_workspace_id_seq_key" ON "tool_calls"("workspace_id", "seq");
