-- AlterTable
ALTER TABLE "tool_mcp_providers" ADD COLUMN     "auth_type" VARCHAR(16),
ADD COLUMN     "oauth_connection" VARCHAR(16),
ADD COLUMN     "oauth_scope" TEXT;

-- CreateTable
CREATE TABLE "upstream_connections" (
    "id" TEXT NOT NULL,
    "provider_id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "user_id" TEXT,
    "state_encrypted" TEXT NOT NULL,
    "pending_key" TEXT,
    "pending_user_id" TEXT,
    "pending_until" TIMESTAMP(3),
    "connected_by" TEXT,
    "connected_at" TIMESTAMP(3),
    "expires_at" TIMESTAMP(3),
    "refreshing_until" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "upstream_connections_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "upstream_connections_pending_key_key" ON "upstream_connections"("pending_key");

-- CreateIndex
CREATE INDEX "upstream_connections_workspace_id_idx" ON "upstream_connections"("workspace_id");

-- CreateIndex
CREATE UNIQUE INDEX "upstream_connections_provider_id_owner_key" ON "upstream_connections"("provider_id", "owner");

-- AddForeignKey
ALTER TABLE "upstream_connections" ADD CONSTRAINT "upstream_connections_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "tool_mcp_providers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "upstream_connections" ADD CONSTRAINT "upstream_connections_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Data: the client id and secret stored before OAuth connections existed described an OAuth
-- client nothing used: from now on they are a shared OAuth connection an admin can connect.
UPDATE "tool_mcp_providers" SET "auth_type" = 'oauth', "oauth_connection" = 'shared' WHERE "client_id" IS NOT NULL;
