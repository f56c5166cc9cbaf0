-- AlterTable
ALTER TABLE "tool_mcp_providers" ADD COLUMN     "client_key_encrypted" TEXT,
ADD COLUMN     "client_key_masked" TEXT,
ADD COLUMN     "oauth_grant" VARCHAR(32);
