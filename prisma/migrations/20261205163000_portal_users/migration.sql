-- Issue 15: portal users. A person (portal_user, one per email per practice)
-- has access to one or more clients' portals (client_portal_access), each with
-- a relationship, permissions and an invitation state. Today's single owner of
-- each client's portal becomes its primary user with every permission; their
-- sign-in stays on portal_account, linked from the access row.

-- CreateEnum
CREATE TYPE "portal_relationship" AS ENUM ('CLIENT', 'PARENT', 'GUARDIAN', 'SPOUSE', 'OTHER');

-- CreateEnum
CREATE TYPE "portal_permission" AS ENUM ('BASIC', 'FORMS', 'BILLING', 'MESSAGES', 'APPOINTMENTS');

-- CreateTable
CREATE TABLE "portal_user" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "portal_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "client_portal_access" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "portal_user_id" UUID NOT NULL,
    "relationship" "portal_relationship" NOT NULL,
    "is_primary" BOOLEAN NOT NULL DEFAULT false,
    "permissions" "portal_permission"[],
    "status" "portal_account_status" NOT NULL DEFAULT 'INVITED',
    "portal_account_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "client_portal_access_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "portal_user_organization_id_email_key" ON "portal_user"("organization_id", "email");

-- CreateIndex
CREATE UNIQUE INDEX "client_portal_access_portal_account_id_key" ON "client_portal_access"("portal_account_id");

-- CreateIndex
CREATE INDEX "client_portal_access_portal_user_id_idx" ON "client_portal_access"("portal_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "client_portal_access_client_id_portal_user_id_key" ON "client_portal_access"("client_id", "portal_user_id");

-- AddForeignKey
ALTER TABLE "portal_user" ADD CONSTRAINT "portal_user_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_portal_access" ADD CONSTRAINT "client_portal_access_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_portal_access" ADD CONSTRAINT "client_portal_access_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_portal_access" ADD CONSTRAINT "client_portal_access_portal_user_id_fkey" FOREIGN KEY ("portal_user_id") REFERENCES "portal_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_portal_access" ADD CONSTRAINT "client_portal_access_portal_account_id_fkey" FOREIGN KEY ("portal_account_id") REFERENCES "portal_account"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Today's owners: the person keeps the portal account's id, so audit entries
-- and signatures recorded under it (actor id, form_submission.portal_account_id)
-- name the same person in the new tables.
INSERT INTO "portal_user" ("id", "organization_id", "email", "name", "created_at", "updated_at")
SELECT "id", "organization_id", "email", "owner_name", "created_at", CURRENT_TIMESTAMP
FROM "portal_account";

INSERT INTO "client_portal_access"
    ("id", "organization_id", "client_id", "portal_user_id", "relationship", "is_primary", "permissions",
     "status", "portal_account_id", "created_at", "updated_at")
SELECT gen_random_uuid(), "organization_id", "client_id", "id",
       CASE "owner_kind" WHEN 'CLIENT' THEN 'CLIENT'::"portal_relationship" ELSE 'GUARDIAN'::"portal_relationship" END,
       true, ARRAY['BASIC', 'FORMS', 'BILLING', 'MESSAGES', 'APPOINTMENTS']::"portal_permission"[],
       "status", "id", "created_at", CURRENT_TIMESTAMP
FROM "portal_account";

-- Until sign-in moves to portal_user, the onboarding flow still creates and
-- changes the client's one portal_account (invitation, Change Ownership,
-- revoke, registration). This keeps the primary user's rows in step with it,
-- whoever writes it, so the access policy never meets an account without them.
CREATE FUNCTION "portal_account_primary_access"() RETURNS trigger AS $$
DECLARE
  person UUID;
BEGIN
  SELECT "id" INTO person FROM "portal_user"
   WHERE "organization_id" = NEW."organization_id" AND "email" = NEW."email";
  IF person IS NULL THEN
    -- A first owner keeps the account's id as the person's (see the backfill above).
    person := CASE WHEN EXISTS (SELECT 1 FROM "portal_user" WHERE "id" = NEW."id") THEN gen_random_uuid() ELSE NEW."id" END;
    INSERT INTO "portal_user" ("id", "organization_id", "email", "name", "updated_at")
    VALUES (person, NEW."organization_id", NEW."email", NEW."owner_name", CURRENT_TIMESTAMP);
  ELSIF NEW."owner_name" IS NOT NULL THEN
    UPDATE "portal_user" SET "name" = NEW."owner_name", "updated_at" = CURRENT_TIMESTAMP WHERE "id" = person;
  END IF;
  -- A contact who becomes the owner: their contact row gives way to the primary one.
  DELETE FROM "client_portal_access"
   WHERE "client_id" = NEW."client_id" AND "portal_user_id" = person
     AND "portal_account_id" IS DISTINCT FROM NEW."id";
  INSERT INTO "client_portal_access"
      ("id", "organization_id", "client_id", "portal_user_id", "relationship", "is_primary", "permissions",
       "status", "portal_account_id", "updated_at")
  VALUES (gen_random_uuid(), NEW."organization_id", NEW."client_id", person,
          CASE NEW."owner_kind" WHEN 'CLIENT' THEN 'CLIENT'::"portal_relationship" ELSE 'GUARDIAN'::"portal_relationship" END,
          true, ARRAY['BASIC', 'FORMS', 'BILLING', 'MESSAGES', 'APPOINTMENTS']::"portal_permission"[],
          NEW."status", NEW."id", CURRENT_TIMESTAMP)
  ON CONFLICT ("portal_account_id") DO UPDATE SET
    -- A new owner starts with every permission; the same owner keeps what staff set.
    "permissions" = CASE WHEN "client_portal_access"."portal_user_id" = EXCLUDED."portal_user_id"
                         THEN "client_portal_access"."permissions" ELSE EXCLUDED."permissions" END,
    "relationship" = CASE WHEN "client_portal_access"."portal_user_id" = EXCLUDED."portal_user_id"
                          THEN "client_portal_access"."relationship" ELSE EXCLUDED."relationship" END,
    "portal_user_id" = EXCLUDED."portal_user_id",
    "is_primary" = true,
    "status" = EXCLUDED."status",
    "updated_at" = CURRENT_TIMESTAMP;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "portal_account_primary_access"
AFTER INSERT OR UPDATE OF "email", "owner_kind", "owner_name", "status" ON "portal_account"
FOR EACH ROW EXECUTE FUNCTION "portal_account_primary_access"();
