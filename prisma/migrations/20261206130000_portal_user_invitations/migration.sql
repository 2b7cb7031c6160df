-- Issue 15, per-user invitations: every contact added as a portal user of a
-- client gets their own invitation with the client's 7-day lifecycle (link,
-- reminders, expiry, resend, revoke), driven by a portalUserInvitation
-- workflow per access row. The primary user keeps the onboarding's
-- invitation table; contacts' invitations are keyed by their access row, so
-- their sequences never collide with the client's.

-- CreateTable
CREATE TABLE "portal_user_invitation" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "client_portal_access_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "token_hash" TEXT NOT NULL,
    "status" "invitation_status" NOT NULL DEFAULT 'PENDING',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "failed_attempts" INTEGER NOT NULL DEFAULT 0,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "portal_user_invitation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "portal_user_invitation_token_hash_key" ON "portal_user_invitation"("token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "portal_user_invitation_client_portal_access_id_sequence_key" ON "portal_user_invitation"("client_portal_access_id", "sequence");

-- CreateIndex
CREATE INDEX "portal_user_invitation_onboarding_id_idx" ON "portal_user_invitation"("onboarding_id");

-- AddForeignKey
ALTER TABLE "portal_user_invitation" ADD CONSTRAINT "portal_user_invitation_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "portal_user_invitation" ADD CONSTRAINT "portal_user_invitation_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "portal_user_invitation" ADD CONSTRAINT "portal_user_invitation_client_portal_access_id_fkey" FOREIGN KEY ("client_portal_access_id") REFERENCES "client_portal_access"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A contact's own login: the password they chose through their invitation
-- (the primary user's stays on portal_account until sign-in moves here).
ALTER TABLE "portal_user" ADD COLUMN "password_hash" TEXT,
ADD COLUMN "registered_at" TIMESTAMPTZ(3);

-- The service role works the new table like the invitation table (default
-- privileges cover it when the owner runs this; said here so it never depends on that).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portal_service') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON "portal_user_invitation" TO "portal_service";
  END IF;
END
$$;

-- Contacts the EHR named (chart.created, client.contacts_updated): a later
-- full list from the EHR removes only those, never a contact staff added.
ALTER TABLE "client_portal_access" ADD COLUMN "added_by_ehr" BOOLEAN NOT NULL DEFAULT false;
