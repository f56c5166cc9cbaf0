-- AlterTable
ALTER TABLE "upstream_connections" ADD COLUMN "ended_at" DATETIME;
ALTER TABLE "upstream_connections" ADD COLUMN "ended_reason" TEXT;
