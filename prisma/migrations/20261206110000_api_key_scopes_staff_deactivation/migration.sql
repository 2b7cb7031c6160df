-- API keys without SQL (issue 19): each key has a scope that caps what it may
-- do on top of its staff member's role, an optional expiry, the first
-- characters of the key so admins can tell keys apart in a list, and who made
-- it. Keys made before scopes existed (the demo key `npm start` prints, keys
-- made by seed scripts) could do everything their role allowed: they become
-- ADMIN-scoped, which is exactly that, so none of them stops working.

-- CreateEnum
CREATE TYPE "api_key_scope" AS ENUM ('READ', 'ACT', 'OPS', 'ADMIN');

-- AlterTable
ALTER TABLE "staff_api_key" ADD COLUMN     "scope" "api_key_scope" NOT NULL DEFAULT 'ADMIN',
ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "key_prefix" TEXT,
ADD COLUMN     "created_by_id" UUID;

-- An admin may leave the practice; the keys they made stay (and stay revocable).
ALTER TABLE "staff_api_key" ADD CONSTRAINT "staff_api_key_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "staff_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The admin page lists a practice's keys newest first.
CREATE INDEX "staff_api_key_organization_id_created_at_idx" ON "staff_api_key"("organization_id", "created_at");

-- Staff accounts without SQL (issue 19): an admin deactivates a colleague
-- instead of deleting the row, so the audit trail, the keys they held and the
-- clients once assigned to them still name a staff member. A deactivated
-- account cannot sign in, its sessions and keys are ended with it, and it is
-- told about nothing.
ALTER TABLE "staff_user" ADD COLUMN     "deactivated_at" TIMESTAMPTZ(3);
