-- AlterTable
ALTER TABLE "upstream_connections" ADD COLUMN     "bound_to" TEXT,
ADD COLUMN     "pending_encrypted" TEXT,
ADD COLUMN     "step_up_scope" TEXT;
