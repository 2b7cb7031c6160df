-- Issue 19, staff invitations by email: an admin invites a colleague with a
-- role and the invite permission; a staffInvitation workflow per row sends
-- the link, one reminder, and expires it. The link's token is an HMAC of
-- (id, sequence), only its hash stored; a resend bumps the sequence, so the
-- previous link stops working. The account is made when the invitee accepts.

-- CreateTable
CREATE TABLE "staff_invitation" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "role" "staff_role" NOT NULL,
    "can_invite" BOOLEAN NOT NULL DEFAULT false,
    "sequence" INTEGER NOT NULL DEFAULT 1,
    "token_hash" TEXT NOT NULL,
    "status" "invitation_status" NOT NULL DEFAULT 'PENDING',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "invited_by_id" UUID NOT NULL,
    "staff_user_id" UUID,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "staff_invitation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "staff_invitation_token_hash_key" ON "staff_invitation"("token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "staff_invitation_staff_user_id_key" ON "staff_invitation"("staff_user_id");

-- CreateIndex
CREATE INDEX "staff_invitation_organization_id_email_idx" ON "staff_invitation"("organization_id", "email");

-- AddForeignKey
ALTER TABLE "staff_invitation" ADD CONSTRAINT "staff_invitation_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "staff_invitation" ADD CONSTRAINT "staff_invitation_invited_by_id_fkey" FOREIGN KEY ("invited_by_id") REFERENCES "staff_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "staff_invitation" ADD CONSTRAINT "staff_invitation_staff_user_id_fkey" FOREIGN KEY ("staff_user_id") REFERENCES "staff_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The service role works the new table (default privileges cover it when the
-- owner runs this; said here so it never depends on that).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portal_service') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON "staff_invitation" TO "portal_service";
  END IF;
END
$$;
