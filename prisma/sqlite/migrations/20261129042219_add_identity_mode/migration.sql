-- AlterTable
ALTER TABLE "tool_mcp_providers" ADD COLUMN "identity_mode" TEXT NOT NULL DEFAULT 'off';
