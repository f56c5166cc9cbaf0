-- CreateTable
CREATE TABLE "tool_calls" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "user_email" TEXT NOT NULL,
    "provider_id" TEXT NOT NULL,
    "provider_name" TEXT NOT NULL,
    "tool" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "identity" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "tool_calls_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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
    "client_id" TEXT,
    "client_secret_encrypted" TEXT,
    "timeout" INTEGER NOT NULL DEFAULT 30,
    "sse_read_timeout" INTEGER NOT NULL DEFAULT 300,
    "identity_mode" TEXT NOT NULL DEFAULT 'off',
    "disabled_tools" TEXT NOT NULL DEFAULT '[]',
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
INSERT INTO "new_tool_mcp_providers" ("authed", "client_id", "client_secret_encrypted", "client_secret_masked", "created_at", "created_by", "discovery_at", "discovery_failure", "discovery_message", "discovery_status", "headers_encrypted", "headers_masked", "icon", "id", "identity_mode", "name", "server_identifier", "server_url_encrypted", "server_url_hash", "server_url_masked", "sse_read_timeout", "timeout", "tools", "tools_count", "tools_fetched_at", "updated_at", "version", "workspace_id") SELECT "authed", "client_id", "client_secret_encrypted", "client_secret_masked", "created_at", "created_by", "discovery_at", "discovery_failure", "discovery_message", "discovery_status", "headers_encrypted", "headers_masked", "icon", "id", "identity_mode", "name", "server_identifier", "server_url_encrypted", "server_url_hash", "server_url_masked", "sse_read_timeout", "timeout", "tools", "tools_count", "tools_fetched_at", "updated_at", "version", "workspace_id" FROM "tool_mcp_providers";
DROP TABLE "tool_mcp_providers";
ALTER TABLE "new_tool_mcp_providers" RENAME TO "tool_mcp_providers";
CREATE INDEX "tool_mcp_providers_workspace_id_created_at_id_idx" ON "tool_mcp_providers"("workspace_id", "created_at", "id");
CREATE UNIQUE INDEX "tool_mcp_providers_workspace_id_name_key" ON "tool_mcp_providers"("workspace_id", "name");
CREATE UNIQUE INDEX "tool_mcp_providers_workspace_id_server_identifier_key" ON "tool_mcp_providers"("workspace_id", "server_identifier");
CREATE UNIQUE INDEX "tool_mcp_providers_workspace_id_server_url_hash_key" ON "tool_mcp_providers"("workspace_id", "server_url_hash");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "tool_calls_workspace_id_created_at_id_idx" ON "tool_calls"("workspace_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "tool_calls_workspace_id_user_id_created_at_idx" ON "tool_calls"("workspace_id", "user_id", "created_at");

-- CreateIndex
CREATE INDEX "tool_calls_created_at_idx" ON "tool_calls"("created_at");
