-- AlterTable
ALTER TABLE "upstream_connections" ADD COLUMN     "ended_at" TIMESTAMP(3),
ADD COLUMN     "ended_reason" TEXT;
