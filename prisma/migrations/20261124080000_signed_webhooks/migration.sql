-- AlterTable
-- Existing integrations get a fresh random secret (two gen_random_uuid() =
-- 244 strong random bits); operators hand it to the EHR, or rotate it.
ALTER TABLE "ehr_integration" ADD COLUMN     "previous_secret_expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "previous_signing_secret" TEXT,
ADD COLUMN     "signing_secret" TEXT;

UPDATE "ehr_integration"
SET "signing_secret" = 'whsec_' || encode(sha256((gen_random_uuid()::text || gen_random_uuid()::text)::bytea), 'base64');

ALTER TABLE "ehr_integration" ALTER COLUMN "signing_secret" SET NOT NULL;

-- CreateTable
CREATE TABLE "inbound_webhook" (
    "id" UUID NOT NULL,
    "integration_id" UUID NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "onboarding_id" UUID,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbound_webhook_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "inbound_webhook_integration_id_webhook_id_key" ON "inbound_webhook"("integration_id", "webhook_id");

-- AddForeignKey
ALTER TABLE "inbound_webhook" ADD CONSTRAINT "inbound_webhook_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "ehr_integration"("id") ON DELETE CASCADE ON UPDATE CASCADE;
