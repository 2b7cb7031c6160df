-- Staff dashboard sign-in and sessions, the ops role, EHR status callbacks with a delivery log, dashboard indexes.

-- CreateEnum
CREATE TYPE "outbound_webhook_status" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- AlterEnum
ALTER TYPE "staff_role" ADD VALUE 'OPS';

-- AlterTable
ALTER TABLE "staff_user" ADD COLUMN     "failed_logins" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "locked_until" TIMESTAMPTZ(3),
ADD COLUMN     "password_hash" TEXT;

-- AlterTable
ALTER TABLE "ehr_integration" ADD COLUMN     "callback_secret" TEXT,
ADD COLUMN     "callback_url" TEXT;

-- CreateTable
CREATE TABLE "staff_session" (
    "id" UUID NOT NULL,
    "staff_user_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "staff_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbound_webhook" (
    "id" UUID NOT NULL,
    "integration_id" UUID NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "outbound_webhook_status" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_attempt_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbound_webhook_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "staff_session_token_hash_key" ON "staff_session"("token_hash");

-- CreateIndex
CREATE INDEX "staff_session_staff_user_id_idx" ON "staff_session"("staff_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "outbound_webhook_webhook_id_key" ON "outbound_webhook"("webhook_id");

-- CreateIndex
CREATE INDEX "outbound_webhook_integration_id_created_at_idx" ON "outbound_webhook"("integration_id", "created_at");

-- CreateIndex
CREATE INDEX "outbound_webhook_onboarding_id_idx" ON "outbound_webhook"("onboarding_id");

-- CreateIndex
CREATE INDEX "client_organization_id_last_name_idx" ON "client"("organization_id", "last_name");

-- CreateIndex
CREATE INDEX "onboarding_organization_id_created_at_idx" ON "onboarding"("organization_id", "created_at");

-- CreateIndex
CREATE INDEX "onboarding_organization_id_assigned_staff_id_created_at_idx" ON "onboarding"("organization_id", "assigned_staff_id", "created_at");

-- CreateIndex
CREATE INDEX "onboarding_organization_id_updated_at_idx" ON "onboarding"("organization_id", "updated_at");

-- AddForeignKey
ALTER TABLE "staff_session" ADD CONSTRAINT "staff_session_staff_user_id_fkey" FOREIGN KEY ("staff_user_id") REFERENCES "staff_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbound_webhook" ADD CONSTRAINT "outbound_webhook_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "ehr_integration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

