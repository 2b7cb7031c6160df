-- The practice's own words under the 988 crisis message a client sees when an
-- answer (PHQ-9 item 9) suggests a crisis; null: the 988 message alone.

-- AlterTable
ALTER TABLE "organization" ADD COLUMN     "crisis_message" TEXT;
