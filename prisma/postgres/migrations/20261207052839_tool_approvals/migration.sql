-- AlterTable
ALTER TABLE "tool_calls" ADD COLUMN     "approval" VARCHAR(32);

-- AlterTable
ALTER TABLE "tool_mcp_providers" ADD COLUMN     "ask_tools" TEXT NOT NULL DEFAULT '[]';

-- CreateTable
CREATE TABLE "tool_approvals" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "provider_id" TEXT NOT NULL,
    "provider_name" TEXT NOT NULL,
    "tool" TEXT NOT NULL,
    "via" VARCHAR(16) NOT NULL,
    "summary" TEXT NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "decided_at" TIMESTAMP(3),

    CONSTRAINT "tool_approvals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tool_approvals_user_id_workspace_id_status_created_at_idx" ON "tool_approvals"("user_id", "workspace_id", "status", "created_at");

-- CreateIndex
CREATE INDEX "tool_approvals_expires_at_idx" ON "tool_approvals"("expires_at");

-- AddForeignKey
ALTER TABLE "tool_approvals" ADD CONSTRAINT "tool_approvals_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tool_approvals" ADD CONSTRAINT "tool_approvals_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
