-- AlterTable
ALTER TABLE "tool_mcp_providers" ADD COLUMN     "discovery_at" TIMESTAMP(3),
ADD COLUMN     "discovery_failure" VARCHAR(32),
ADD COLUMN     "discovery_message" TEXT,
ADD COLUMN     "discovery_status" VARCHAR(16) NOT NULL DEFAULT 'unknown';
