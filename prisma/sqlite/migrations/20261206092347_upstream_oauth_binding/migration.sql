-- AlterTable
ALTER TABLE "upstream_connections" ADD COLUMN "bound_to" TEXT;
ALTER TABLE "upstream_connections" ADD COLUMN "pending_encrypted" TEXT;
ALTER TABLE "upstream_connections" ADD COLUMN "step_up_scope" TEXT;
