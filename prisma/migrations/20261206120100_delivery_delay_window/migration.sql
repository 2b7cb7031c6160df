-- Issue 20: an invitation the provider reports as delayed (a soft bounce or
-- "delivery delayed") is left to the provider's own retries; only if it has
-- still not been delivered this many hours after the first such report is
-- the onboarding escalated to "Invitation bounced" and staff told. A day by
-- default: providers retry soft bounces for about that long, and a client
-- waiting on an invitation should not wait much longer unnoticed.

-- AlterTable
ALTER TABLE "organization" ADD COLUMN     "delivery_delay_window_hours" INTEGER NOT NULL DEFAULT 24;
