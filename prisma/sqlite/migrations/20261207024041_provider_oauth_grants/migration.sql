-- AlterTable
ALTER TABLE "tool_mcp_providers" ADD COLUMN "client_key_encrypted" TEXT;
ALTER TABLE "tool_mcp_providers" ADD COLUMN "client_key_masked" TEXT;
ALTER TABLE "tool_mcp_providers" ADD COLUMN "oauth_grant" TEXT;
