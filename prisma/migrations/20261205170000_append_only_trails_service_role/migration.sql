-- The trails are evidence: audit_event (who saw or changed what), onboarding_event
-- (the timeline, which anchors each e-signature's hash) and form_submission (what
-- a client signed). Row triggers do not fire on TRUNCATE, so each also gets a
-- statement-level TRUNCATE guard. Retention or erasure is an owner's deliberate
-- act (disable the trigger in a reviewed migration), never the service's.
CREATE FUNCTION "trail_refuse_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (TRUNCATE refused)', TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER "audit_event_no_truncate"
BEFORE TRUNCATE ON "audit_event"
FOR EACH STATEMENT EXECUTE FUNCTION "trail_refuse_truncate"();

CREATE TRIGGER "onboarding_event_no_truncate"
BEFORE TRUNCATE ON "onboarding_event"
FOR EACH STATEMENT EXECUTE FUNCTION "trail_refuse_truncate"();

CREATE TRIGGER "form_submission_no_truncate"
BEFORE TRUNCATE ON "form_submission"
FOR EACH STATEMENT EXECUTE FUNCTION "trail_refuse_truncate"();

-- The timeline is written once per (onboarding, key) and never rewritten: a
-- changed or missing form.signed event would hide a tampered signature.
CREATE FUNCTION "onboarding_event_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'onboarding_event is append-only (% refused)', TG_OP;
END;
$$;

CREATE TRIGGER "onboarding_event_append_only"
BEFORE UPDATE OR DELETE ON "onboarding_event"
FOR EACH ROW EXECUTE FUNCTION "onboarding_event_append_only"();

-- Signed content is now kept as well as unedited (UPDATE was refused already).
CREATE TRIGGER "form_submission_no_delete"
BEFORE DELETE ON "form_submission"
FOR EACH ROW EXECUTE FUNCTION "form_submission_immutable"();

-- The service's group role: DML on the working tables, only SELECT and INSERT
-- on the trails, no DDL and no ownership, so it can neither rewrite the trails
-- nor ALTER TABLE ... DISABLE TRIGGER. Migrations run as the owner (the role
-- running this file); the service logs in as a member of this role (created by
-- `npm run db:migrate` from DATABASE_URL, see db/service-role.ts). Roles are
-- cluster-wide: the role may already exist (another database on the server, or
-- a concurrent migration), hence the guarded create.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portal_service') THEN
    CREATE ROLE "portal_service" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
END;
$$;

-- PostgreSQL before 15 lets everyone create tables in public; the service must not.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO "portal_service";

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "portal_service";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "portal_service";
REVOKE UPDATE, DELETE, TRUNCATE ON "audit_event", "onboarding_event", "form_submission" FROM "portal_service";
-- The migration history is the owner's.
REVOKE ALL ON "_prisma_migrations" FROM "portal_service";

-- Tables and sequences later migrations create get the same working grants;
-- a migration adding a trail revokes UPDATE and DELETE on it as above.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "portal_service";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "portal_service";
