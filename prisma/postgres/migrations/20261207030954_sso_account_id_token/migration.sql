-- AlterTable
ALTER TABLE "sso_accounts" ADD COLUMN     "id_token_encrypted" TEXT;
