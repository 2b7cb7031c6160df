-- The dashboard funnel reads each onboarding's milestones by type.

-- CreateIndex
CREATE INDEX "onboarding_event_onboarding_id_type_occurred_at_idx" ON "onboarding_event"("onboarding_id", "type", "occurred_at");
