-- AlterTable
ALTER TABLE "tool_mcp_providers" ADD COLUMN     "disabled_tools" TEXT NOT NULL DEFAULT '[]';

-- CreateTable
CREATE TABLE "tool_calls" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "user_email" TEXT NOT NULL,
    "provider_id" TEXT NOT NULL,
    "provider_name" TEXT NOT NULL,
    "tool" TEXT NOT NULL,
    "via" VARCHAR(16) NOT NULL,
    "outcome" VARCHAR(40) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "identity" VARCHAR(32) NOT NULL,
    "request_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tool_calls_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tool_calls_workspace_id_created_at_id_idx" ON "tool_calls"("workspace_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "tool_calls_workspace_id_user_id_created_at_idx" ON "tool_calls"("workspace_id", "user_id", "created_at");

-- CreateIndex
CREATE INDEX "tool_calls_created_at_idx" ON "tool_calls"("created_at");

-- AddForeignKey
ALTER TABLE "tool_calls" ADD CONSTRAINT "tool_calls_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
