-- AlterTable
ALTER TABLE "tool_mcp_providers" ADD COLUMN "discovery_status" TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE "tool_mcp_providers" ADD COLUMN "discovery_failure" TEXT;
ALTER TABLE "tool_mcp_providers" ADD COLUMN "discovery_message" TEXT;
ALTER TABLE "tool_mcp_providers" ADD COLUMN "discovery_at" DATETIME;
