-- The funnel's milestones on the onboarding row, so the dashboard's funnel
-- reads one row per onboarding instead of grouping its timeline (a year of
-- 100,000 onboardings: 198 ms → see docs/benchmarks.md). The timeline stays
-- the record; a trigger keeps these in step with it whoever writes an event
-- (activities, staff use cases, imports), in the same transaction.
ALTER TABLE "onboarding"
  ADD COLUMN "invited_at" TIMESTAMPTZ(3),
  ADD COLUMN "registered_at" TIMESTAMPTZ(3),
  ADD COLUMN "forms_completed_at" TIMESTAMPTZ(3),
  ADD COLUMN "expired_at" TIMESTAMPTZ(3),
  ADD COLUMN "bounced_at" TIMESTAMPTZ(3);

-- First invitation, first registration, first expiry, first bounce; the last
-- "forms completed" (a later form request completes the package again).
CREATE FUNCTION "onboarding_event_milestone"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  CASE NEW.type
    WHEN 'invitation.sent' THEN
      UPDATE "onboarding" SET "invited_at" = NEW.occurred_at
      WHERE id = NEW.onboarding_id AND ("invited_at" IS NULL OR "invited_at" > NEW.occurred_at);
    WHEN 'portal.registered' THEN
      UPDATE "onboarding" SET "registered_at" = NEW.occurred_at
      WHERE id = NEW.onboarding_id AND ("registered_at" IS NULL OR "registered_at" > NEW.occurred_at);
    WHEN 'forms.completed' THEN
      UPDATE "onboarding" SET "forms_completed_at" = NEW.occurred_at
      WHERE id = NEW.onboarding_id AND ("forms_completed_at" IS NULL OR "forms_completed_at" < NEW.occurred_at);
    WHEN 'invitation.expired' THEN
      UPDATE "onboarding" SET "expired_at" = NEW.occurred_at
      WHERE id = NEW.onboarding_id AND ("expired_at" IS NULL OR "expired_at" > NEW.occurred_at);
    WHEN 'invitation.undeliverable' THEN
      UPDATE "onboarding" SET "bounced_at" = NEW.occurred_at
      WHERE id = NEW.onboarding_id AND ("bounced_at" IS NULL OR "bounced_at" > NEW.occurred_at);
    ELSE NULL;
  END CASE;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "onboarding_event_milestone"
AFTER INSERT ON "onboarding_event"
FOR EACH ROW
WHEN (NEW.type IN ('invitation.sent', 'portal.registered', 'forms.completed', 'invitation.expired', 'invitation.undeliverable'))
EXECUTE FUNCTION "onboarding_event_milestone"();

-- Onboardings from before this migration.
UPDATE "onboarding" o SET
  "invited_at" = m.invited_at,
  "registered_at" = m.registered_at,
  "forms_completed_at" = m.forms_completed_at,
  "expired_at" = m.expired_at,
  "bounced_at" = m.bounced_at
FROM (
  SELECT onboarding_id,
    MIN(occurred_at) FILTER (WHERE type = 'invitation.sent') AS invited_at,
    MIN(occurred_at) FILTER (WHERE type = 'portal.registered') AS registered_at,
    MAX(occurred_at) FILTER (WHERE type = 'forms.completed') AS forms_completed_at,
    MIN(occurred_at) FILTER (WHERE type = 'invitation.expired') AS expired_at,
    MIN(occurred_at) FILTER (WHERE type = 'invitation.undeliverable') AS bounced_at
  FROM "onboarding_event"
  WHERE type IN ('invitation.sent', 'portal.registered', 'forms.completed', 'invitation.expired', 'invitation.undeliverable')
  GROUP BY onboarding_id
) m
WHERE o.id = m.onboarding_id;
