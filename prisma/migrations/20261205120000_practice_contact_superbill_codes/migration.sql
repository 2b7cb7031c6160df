-- How clients reach the practice (named on every client-facing dead end and
-- footer), and whether superbills print the EHR's diagnosis codes (off: seed
-- 003's "no clinical information in the portal" until the practice chooses).

-- AlterTable
ALTER TABLE "organization" ADD COLUMN     "contact_phone" TEXT,
ADD COLUMN     "contact_email" TEXT,
ADD COLUMN     "contact_address" TEXT,
ADD COLUMN     "contact_website" TEXT,
ADD COLUMN     "superbill_diagnosis_codes" BOOLEAN NOT NULL DEFAULT false;
