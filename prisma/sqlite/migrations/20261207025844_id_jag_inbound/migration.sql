-- AlterTable
ALTER TABLE "connected_apps" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'consent';

-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN "id_jag_enabled" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "workspaces" ADD COLUMN "id_jag_client_ids" TEXT NOT NULL DEFAULT '[]';
