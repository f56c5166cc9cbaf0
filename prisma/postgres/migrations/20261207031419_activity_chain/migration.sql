-- AlterTable
ALTER TABLE "tool_calls" ADD COLUMN     "arguments" TEXT,
ADD COLUMN     "hash" VARCHAR(64),
ADD COLUMN     "hash_version" INTEGER,
ADD COLUMN     "prev_hash" VARCHAR(64),
ADD COLUMN     "result" TEXT,
ADD COLUMN     "seq" BIGINT;

-- AlterTable
ALTER TABLE "tool_mcp_providers" ADD COLUMN     "record_arguments" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "record_results" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "tool_call_chains" (
    "workspace_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" VARCHAR(64),
    "signature" TEXT,

    CONSTRAINT "tool_call_chains_pkey" PRIMARY KEY ("workspace_id")
);

-- CreateTable
CREATE TABLE "tool_call_checkpoints" (
    "workspace_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" VARCHAR(64) NOT NULL,
    "signature" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "tool_call_checkpoints_pkey" PRIMARY KEY ("workspace_id")
);

-- AddForeignKey
ALTER TABLE "tool_call_chains" ADD CONSTRAINT "tool_call_chains_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tool_call_checkpoints" ADD CONSTRAINT "tool_call_checkpoints_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The records written before the chain existed join it, oldest first: numbered here, hashed from
-- the genesis value by the console when it starts (lib/activity/chain-store.ts, chainLegacyRecords)
-- — SQL can't compute the hash on both databases. Records after these are appended as usual.
UPDATE "tool_calls" SET "seq" = "numbered"."n"
FROM (SELECT "id", ROW_NUMBER() OVER (PARTITION BY "workspace_id" ORDER BY "created_at", "id") AS "n" FROM "tool_calls") AS "numbered"
WHERE "numbered"."id" = "tool_calls"."id";
INSERT INTO "tool_call_chains" ("workspace_id", "seq", "hash", "signature") SELECT "workspace_id", COUNT(*), NULL, NULL FROM "tool_calls" GROUP BY "workspace_id";

-- CreateIndex
CREATE UNIQUE INDEX "tool_calls_workspace_id_seq_key" ON "tool_calls"("workspace_id", "seq");
