-- AlterTable
ALTER TABLE "tool_mcp_providers" ADD COLUMN "auth_type" TEXT;
ALTER TABLE "tool_mcp_providers" ADD COLUMN "oauth_connection" TEXT;
ALTER TABLE "tool_mcp_providers" ADD COLUMN "oauth_scope" TEXT;

-- CreateTable
CREATE TABLE "upstream_connections" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "provider_id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "user_id" TEXT,
    "state_encrypted" TEXT NOT NULL,
    "pending_key" TEXT,
    "pending_user_id" TEXT,
    "pending_until" DATETIME,
    "connected_by" TEXT,
    "connected_at" DATETIME,
    "expires_at" DATETIME,
    "refreshing_until" DATETIME,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "upstream_connections_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "tool_mcp_providers" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "upstream_connections_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "upstream_connections_pending_key_key" ON "upstream_connections"("pending_key");

-- CreateIndex
CREATE INDEX "upstream_connections_workspace_id_idx" ON "upstream_connections"("workspace_id");

-- CreateIndex
CREATE UNIQUE INDEX "upstream_connections_provider_id_owner_key" ON "upstream_connections"("provider_id", "owner");

-- Data: the client id and secret stored before OAuth connections existed described an OAuth
-- client nothing used: from now on they are a shared OAuth connection an admin can connect.
UPDATE "tool_mcp_providers" SET "auth_type" = 'oauth', "oauth_connection" = 'shared' WHERE "client_id" IS NOT NULL;
