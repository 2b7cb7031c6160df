-- Form & assessment packages: requests, assignments pinned to a form version, signed submissions.

-- CreateEnum
CREATE TYPE "form_request_status" AS ENUM ('OPEN', 'COMPLETED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "form_assignment_status" AS ENUM ('PENDING', 'IN_PROGRESS', 'SUBMITTED', 'CANCELLED');

-- AlterTable
ALTER TABLE "organization" ADD COLUMN     "form_reminder_days" INTEGER[] DEFAULT ARRAY[3, 7, 14]::INTEGER[];

-- AlterTable
ALTER TABLE "onboarding" ADD COLUMN     "assigned_staff_id" UUID;

-- CreateTable
CREATE TABLE "form_request" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "package_id" UUID,
    "workflow_id" TEXT NOT NULL,
    "status" "form_request_status" NOT NULL DEFAULT 'OPEN',
    "requested_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "form_request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "form_assignment" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "form_definition_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "status" "form_assignment_status" NOT NULL DEFAULT 'PENDING',
    "draft_answers" JSONB,
    "draft_saved_at" TIMESTAMPTZ(3),
    "submitted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "form_assignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "form_submission" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "assignment_id" UUID NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "form_definition_id" UUID NOT NULL,
    "portal_account_id" UUID NOT NULL,
    "answers" JSONB NOT NULL,
    "scores" JSONB NOT NULL DEFAULT '[]',
    "signer_name" TEXT NOT NULL,
    "attestation" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "ip" TEXT,
    "user_agent" TEXT,
    "definition_sha256" TEXT NOT NULL,
    "content_sha256" TEXT NOT NULL,

    CONSTRAINT "form_submission_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "form_request_workflow_id_key" ON "form_request"("workflow_id");

-- CreateIndex
CREATE INDEX "form_request_onboarding_id_idx" ON "form_request"("onboarding_id");

-- CreateIndex
CREATE INDEX "form_assignment_onboarding_id_status_idx" ON "form_assignment"("onboarding_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "form_assignment_request_id_position_key" ON "form_assignment"("request_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "form_submission_assignment_id_key" ON "form_submission"("assignment_id");

-- CreateIndex
CREATE INDEX "form_submission_onboarding_id_idx" ON "form_submission"("onboarding_id");

-- AddForeignKey
ALTER TABLE "onboarding" ADD CONSTRAINT "onboarding_assigned_staff_id_fkey" FOREIGN KEY ("assigned_staff_id") REFERENCES "staff_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_request" ADD CONSTRAINT "form_request_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_request" ADD CONSTRAINT "form_request_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_request" ADD CONSTRAINT "form_request_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "form_package"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_assignment" ADD CONSTRAINT "form_assignment_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "form_request"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_assignment" ADD CONSTRAINT "form_assignment_form_definition_id_fkey" FOREIGN KEY ("form_definition_id") REFERENCES "form_definition"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_submission" ADD CONSTRAINT "form_submission_assignment_id_fkey" FOREIGN KEY ("assignment_id") REFERENCES "form_assignment"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- What a client signed is never edited: refuse UPDATE on signed submissions.
-- (DELETE stays possible for retention and erasure; the timeline keeps the hash.)
CREATE FUNCTION "form_submission_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'form_submission rows are immutable (signed content)';
END;
$$;

CREATE TRIGGER "form_submission_immutable"
BEFORE UPDATE ON "form_submission"
FOR EACH ROW EXECUTE FUNCTION "form_submission_immutable"();
