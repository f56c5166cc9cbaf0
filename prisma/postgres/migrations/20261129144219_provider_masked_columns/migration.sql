-- AlterTable
ALTER TABLE "tool_mcp_providers" ADD COLUMN     "client_secret_masked" TEXT,
ADD COLUMN     "headers_masked" TEXT,
ADD COLUMN     "server_url_masked" TEXT,
ADD COLUMN     "tools_count" INTEGER NOT NULL DEFAULT 0;

-- The console fills these from the encrypted columns and the stored tools when it starts (it holds the key).
