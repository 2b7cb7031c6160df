-- Admins create and configure EHR integrations from the dashboard (issue 19):
-- the vendor's name, and the callback events the EHR asked for. Existing
-- integrations keep every event (an empty list means all).

-- AlterTable
ALTER TABLE "ehr_integration" ADD COLUMN     "vendor" TEXT,
ADD COLUMN     "callback_events" TEXT[] DEFAULT ARRAY[]::TEXT[];
