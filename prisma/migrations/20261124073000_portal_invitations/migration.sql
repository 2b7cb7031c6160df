-- CreateEnum
CREATE TYPE "portal_account_status" AS ENUM ('INVITED', 'ACTIVE', 'REVOKED');

-- CreateEnum
CREATE TYPE "portal_owner_kind" AS ENUM ('CLIENT', 'GUARDIAN');

-- CreateEnum
CREATE TYPE "invitation_status" AS ENUM ('PENDING', 'USED', 'EXPIRED', 'REVOKED', 'SUPERSEDED', 'LOCKED');

-- CreateEnum
CREATE TYPE "email_status" AS ENUM ('PENDING', 'SENT');

-- AlterEnum
ALTER TYPE "onboarding_status" ADD VALUE 'REVOKED';

-- AlterTable
ALTER TABLE "organization" ADD COLUMN     "auto_reinvite_max" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "brand_color" TEXT,
ADD COLUMN     "invitation_intro_text" TEXT,
ADD COLUMN     "invitation_reminder_days" INTEGER[] DEFAULT ARRAY[3, 6]::INTEGER[],
ADD COLUMN     "invitation_ttl_hours" INTEGER,
ADD COLUMN     "time_zone" TEXT NOT NULL DEFAULT 'America/New_York';

-- CreateTable
CREATE TABLE "staff_api_key" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "staff_user_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "staff_api_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "portal_account" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "owner_kind" "portal_owner_kind" NOT NULL DEFAULT 'CLIENT',
    "owner_name" TEXT,
    "status" "portal_account_status" NOT NULL DEFAULT 'INVITED',
    "password_hash" TEXT,
    "registered_at" TIMESTAMPTZ(3),
    "failed_logins" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "portal_account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invitation" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "portal_account_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "token_hash" TEXT NOT NULL,
    "status" "invitation_status" NOT NULL DEFAULT 'PENDING',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "failed_attempts" INTEGER NOT NULL DEFAULT 0,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "invitation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "portal_session" (
    "id" UUID NOT NULL,
    "portal_account_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "portal_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "email_message" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "onboarding_id" UUID,
    "idempotency_key" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "status" "email_status" NOT NULL DEFAULT 'PENDING',
    "transport" TEXT NOT NULL,
    "provider_message_id" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "email_message_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "staff_api_key_key_hash_key" ON "staff_api_key"("key_hash");

-- CreateIndex
CREATE INDEX "staff_api_key_staff_user_id_idx" ON "staff_api_key"("staff_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "portal_account_client_id_key" ON "portal_account"("client_id");

-- CreateIndex
CREATE UNIQUE INDEX "portal_account_organization_id_email_key" ON "portal_account"("organization_id", "email");

-- CreateIndex
CREATE UNIQUE INDEX "invitation_token_hash_key" ON "invitation"("token_hash");

-- CreateIndex
CREATE INDEX "invitation_portal_account_id_idx" ON "invitation"("portal_account_id");

-- CreateIndex
CREATE UNIQUE INDEX "invitation_onboarding_id_sequence_key" ON "invitation"("onboarding_id", "sequence");

-- CreateIndex
CREATE UNIQUE INDEX "portal_session_token_hash_key" ON "portal_session"("token_hash");

-- CreateIndex
CREATE INDEX "portal_session_portal_account_id_idx" ON "portal_session"("portal_account_id");

-- CreateIndex
CREATE UNIQUE INDEX "email_message_idempotency_key_key" ON "email_message"("idempotency_key");

-- CreateIndex
CREATE INDEX "email_message_onboarding_id_idx" ON "email_message"("onboarding_id");

-- AddForeignKey
ALTER TABLE "staff_api_key" ADD CONSTRAINT "staff_api_key_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "staff_api_key" ADD CONSTRAINT "staff_api_key_staff_user_id_fkey" FOREIGN KEY ("staff_user_id") REFERENCES "staff_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "portal_account" ADD CONSTRAINT "portal_account_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "portal_account" ADD CONSTRAINT "portal_account_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_portal_account_id_fkey" FOREIGN KEY ("portal_account_id") REFERENCES "portal_account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "portal_session" ADD CONSTRAINT "portal_session_portal_account_id_fkey" FOREIGN KEY ("portal_account_id") REFERENCES "portal_account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_message" ADD CONSTRAINT "email_message_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_message" ADD CONSTRAINT "email_message_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE SET NULL ON UPDATE CASCADE;

