-- AlterTable
ALTER TABLE "connected_apps" ADD COLUMN     "source" VARCHAR(16) NOT NULL DEFAULT 'consent';

-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "id_jag_client_ids" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "id_jag_enabled" BOOLEAN NOT NULL DEFAULT false;
