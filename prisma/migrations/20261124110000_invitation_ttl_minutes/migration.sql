-- Invitation lifetimes in minutes, for demos and trials; overrides invitation_ttl_hours when set.

-- AlterTable
ALTER TABLE "organization" ADD COLUMN     "invitation_ttl_minutes" INTEGER;
