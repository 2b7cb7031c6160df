-- Delivery events the email provider posts (Resend through Svix): each
-- email's latest delivery status, its trail of events (deduplicated by the
-- webhook message id), and the addresses a practice no longer mails (hashed).

-- AlterTable
ALTER TABLE "email_message" ADD COLUMN     "bounce_type" TEXT,
ADD COLUMN     "delivery_status" TEXT,
ADD COLUMN     "delivery_updated_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "email_delivery_event" (
    "event_id" TEXT NOT NULL,
    "email_message_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "bounce_type" TEXT,
    "reason" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "email_delivery_event_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "email_suppression" (
    "organization_id" UUID NOT NULL,
    "address_hash" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "email_suppression_pkey" PRIMARY KEY ("organization_id","address_hash")
);

-- CreateIndex
CREATE INDEX "email_message_provider_message_id_idx" ON "email_message"("provider_message_id");

-- CreateIndex
CREATE INDEX "email_delivery_event_email_message_id_occurred_at_idx" ON "email_delivery_event"("email_message_id", "occurred_at");

-- AddForeignKey
ALTER TABLE "email_delivery_event" ADD CONSTRAINT "email_delivery_event_email_message_id_fkey" FOREIGN KEY ("email_message_id") REFERENCES "email_message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_suppression" ADD CONSTRAINT "email_suppression_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
