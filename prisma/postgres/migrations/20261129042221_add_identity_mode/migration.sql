-- AlterTable
ALTER TABLE "tool_mcp_providers" ADD COLUMN     "identity_mode" VARCHAR(32) NOT NULL DEFAULT 'off';
