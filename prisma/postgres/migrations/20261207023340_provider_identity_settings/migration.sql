-- AlterTable
ALTER TABLE "tool_mcp_providers" ADD COLUMN     "identity_client_secret_encrypted" TEXT,
ADD COLUMN     "identity_client_secret_masked" TEXT,
ADD COLUMN     "identity_settings" TEXT;
