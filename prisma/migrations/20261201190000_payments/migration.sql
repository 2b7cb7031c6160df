-- Payments (issue 7): a per-practice switch and onboarding step, invoices from the EHR, payment requests, payments, cards on file, provider webhook events.

-- CreateEnum
CREATE TYPE "onboarding_payment_step" AS ENUM ('NONE', 'CARD_ON_FILE', 'DEPOSIT');

-- CreateEnum
CREATE TYPE "invoice_status" AS ENUM ('OPEN', 'PAID', 'VOID');

-- CreateEnum
CREATE TYPE "payment_request_kind" AS ENUM ('BALANCE', 'DEPOSIT', 'CARD_SETUP');

-- CreateEnum
CREATE TYPE "payment_request_status" AS ENUM ('PENDING', 'AWAITING_PAYMENT', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'ABANDONED');

-- AlterTable
ALTER TABLE "organization" ADD COLUMN     "intake_deposit_cents" INTEGER,
ADD COLUMN     "onboarding_payment_step" "onboarding_payment_step" NOT NULL DEFAULT 'NONE',
ADD COLUMN     "payments_enabled" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "client" ADD COLUMN     "payment_customer_id" TEXT;

-- CreateTable
CREATE TABLE "invoice" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "external_invoice_id" TEXT NOT NULL,
    "issued_on" DATE NOT NULL,
    "status" "invoice_status" NOT NULL DEFAULT 'OPEN',
    "currency" TEXT NOT NULL DEFAULT 'usd',
    "total_cents" INTEGER NOT NULL,
    "balance_cents" INTEGER NOT NULL,
    "document" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "invoice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_request" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "portal_account_id" UUID,
    "onboarding_id" UUID,
    "kind" "payment_request_kind" NOT NULL,
    "status" "payment_request_status" NOT NULL DEFAULT 'PENDING',
    "amount_cents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'usd',
    "save_card" BOOLEAN NOT NULL DEFAULT false,
    "payment_card_id" UUID,
    "submission_key" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "checkout_id" TEXT,
    "checkout_url" TEXT,
    "payment_intent_id" TEXT,
    "failure_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "payment_request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "payment_request_id" UUID NOT NULL,
    "payment_intent_id" TEXT NOT NULL,
    "receipt_number" TEXT NOT NULL,
    "amount_cents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'usd',
    "card_brand" TEXT,
    "card_last4" TEXT,
    "allocations" JSONB NOT NULL DEFAULT '[]',
    "paid_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_card" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "provider_payment_method_id" TEXT NOT NULL,
    "brand" TEXT NOT NULL,
    "last4" TEXT NOT NULL,
    "exp_month" INTEGER NOT NULL,
    "exp_year" INTEGER NOT NULL,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removed_at" TIMESTAMPTZ(3),

    CONSTRAINT "payment_card_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_provider_event" (
    "event_id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payment_request_id" UUID,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_provider_event_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "client_payment_customer_id_key" ON "client"("payment_customer_id");

-- CreateIndex
CREATE INDEX "invoice_client_id_issued_on_idx" ON "invoice"("client_id", "issued_on");

-- CreateIndex
CREATE UNIQUE INDEX "invoice_organization_id_external_invoice_id_key" ON "invoice"("organization_id", "external_invoice_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_request_submission_key_key" ON "payment_request"("submission_key");

-- CreateIndex
CREATE UNIQUE INDEX "payment_request_workflow_id_key" ON "payment_request"("workflow_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_request_checkout_id_key" ON "payment_request"("checkout_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_request_payment_intent_id_key" ON "payment_request"("payment_intent_id");

-- CreateIndex
CREATE INDEX "payment_request_client_id_created_at_idx" ON "payment_request"("client_id", "created_at");

-- CreateIndex
CREATE INDEX "payment_request_onboarding_id_idx" ON "payment_request"("onboarding_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_payment_request_id_key" ON "payment"("payment_request_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_payment_intent_id_key" ON "payment"("payment_intent_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_receipt_number_key" ON "payment"("receipt_number");

-- CreateIndex
CREATE INDEX "payment_client_id_paid_at_idx" ON "payment"("client_id", "paid_at");

-- CreateIndex
CREATE UNIQUE INDEX "payment_card_provider_payment_method_id_key" ON "payment_card"("provider_payment_method_id");

-- CreateIndex
CREATE INDEX "payment_card_client_id_idx" ON "payment_card"("client_id");

-- AddForeignKey
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_request" ADD CONSTRAINT "payment_request_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_request" ADD CONSTRAINT "payment_request_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment" ADD CONSTRAINT "payment_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment" ADD CONSTRAINT "payment_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment" ADD CONSTRAINT "payment_payment_request_id_fkey" FOREIGN KEY ("payment_request_id") REFERENCES "payment_request"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_card" ADD CONSTRAINT "payment_card_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_card" ADD CONSTRAINT "payment_card_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;
