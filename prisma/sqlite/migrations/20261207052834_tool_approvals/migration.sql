-- AlterTable
ALTER TABLE "tool_calls" ADD COLUMN "approval" TEXT;

-- CreateTable
CREATE TABLE "tool_approvals" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "provider_id" TEXT NOT NULL,
    "provider_name" TEXT NOT NULL,
    "tool" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" DATETIME NOT NULL,
    "decided_at" DATETIME,
    CONSTRAINT "tool_approvals_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "tool_approvals_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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
    "ask_tools" TEXT NOT NULL DEFAULT '[]',
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
INSERT INTO "new_tool_mcp_providers" ("auth_type", "authed", "client_id", "client_key_encrypted", "client_key_masked", "client_secret_encrypted", "client_secret_masked", "created_at", "created_by", "disabled_tools", "discovery_at", "discovery_failure", "discovery_message", "discovery_status", "headers_encrypted", "headers_masked", "icon", "id", "identity_client_secret_encrypted", "identity_client_secret_masked", "identity_mode", "identity_settings", "name", "oauth_connection", "oauth_grant", "oauth_scope", "record_arguments", "record_results", "server_identifier", "server_url_encrypted", "server_url_hash", "server_url_masked", "sse_read_timeout", "timeout", "tools", "tools_count", "tools_fetched_at", "updated_at", "version", "workspace_id") SELECT "auth_type", "authed", "client_id", "client_key_encrypted", "client_key_masked", "client_secret_encrypted", "client_secret_masked", "created_at", "created_by", "disabled_tools", "discovery_at", "discovery_failure", "discovery_message", "discovery_status", "headers_encrypted", "headers_masked", "icon", "id", "identity_client_secret_encrypted", "identity_client_secret_masked", "identity_mode", "identity_settings", "name", "oauth_connection", "oauth_grant", "oauth_scope", "record_arguments", "record_results", "server_identifier", "server_url_encrypted", "server_url_hash", "server_url_masked", "sse_read_timeout", "timeout", "tools", "tools_count", "tools_fetched_at", "updated_at", "version", "workspace_id" FROM "tool_mcp_providers";
DROP TABLE "tool_mcp_providers";
ALTER TABLE "new_tool_mcp_providers" RENAME TO "tool_mcp_providers";
CREATE INDEX "tool_mcp_providers_workspace_id_created_at_id_idx" ON "tool_mcp_providers"("workspace_id", "created_at", "id");
CREATE UNIQUE INDEX "tool_mcp_providers_workspace_id_name_key" ON "tool_mcp_providers"("workspace_id", "name");
CREATE UNIQUE INDEX "tool_mcp_providers_workspace_id_server_identifier_key" ON "tool_mcp_providers"("workspace_id", "server_identifier");
CREATE UNIQUE INDEX "tool_mcp_providers_workspace_id_server_url_hash_key" ON "tool_mcp_providers"("workspace_id", "server_url_hash");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "tool_approvals_user_id_workspace_id_status_created_at_idx" ON "tool_approvals"("user_id", "workspace_id", "status", "created_at");

-- CreateIndex
CREATE INDEX "tool_approvals_expires_at_idx" ON "tool_approvals"("expires_at");
