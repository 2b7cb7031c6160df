-- An invitation that bounced for good (or was marked as spam) is a state staff
-- must see and act on: the dashboard lists and counts it.

-- AlterEnum
ALTER TYPE "onboarding_status" ADD VALUE 'INVITATION_BOUNCED';
