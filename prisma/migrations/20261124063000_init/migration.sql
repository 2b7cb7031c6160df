
-- CreateEnum
CREATE TYPE "staff_role" AS ENUM ('ADMIN', 'THERAPIST');

-- CreateEnum
CREATE TYPE "onboarding_status" AS ENUM ('PENDING', 'CHART_CREATED', 'INVITED', 'EXPIRED', 'REGISTERED', 'FORMS_OUTSTANDING', 'COMPLETE', 'CANCELLED', 'FAILED');

-- CreateTable
CREATE TABLE "organization" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staff_user" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "role" "staff_role" NOT NULL,
    "can_invite" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "staff_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ehr_integration" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ehr_integration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "form_definition" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "form_definition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "form_package" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "form_package_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "form_package_item" (
    "package_id" UUID NOT NULL,
    "form_definition_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "form_package_item_pkey" PRIMARY KEY ("package_id","position")
);

-- CreateTable
CREATE TABLE "client" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "external_chart_id" TEXT NOT NULL,
    "first_name" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "date_of_birth" DATE NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "client_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "onboarding" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "integration_id" UUID,
    "external_chart_id" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "client_id" UUID,
    "form_package_id" UUID,
    "invite_requested" BOOLEAN NOT NULL,
    "status" "onboarding_status" NOT NULL DEFAULT 'PENDING',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "chart_created_at" TIMESTAMPTZ(3),

    CONSTRAINT "onboarding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "onboarding_event" (
    "id" BIGSERIAL NOT NULL,
    "onboarding_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "onboarding_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "organization_slug_key" ON "organization"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "staff_user_organization_id_email_key" ON "staff_user"("organization_id", "email");

-- CreateIndex
CREATE INDEX "ehr_integration_organization_id_idx" ON "ehr_integration"("organization_id");

-- CreateIndex
CREATE UNIQUE INDEX "form_definition_organization_id_key_version_key" ON "form_definition"("organization_id", "key", "version");

-- CreateIndex
CREATE UNIQUE INDEX "form_package_organization_id_key_key" ON "form_package"("organization_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "form_package_item_package_id_form_definition_id_key" ON "form_package_item"("package_id", "form_definition_id");

-- CreateIndex
CREATE UNIQUE INDEX "client_organization_id_external_chart_id_key" ON "client"("organization_id", "external_chart_id");

-- CreateIndex
CREATE UNIQUE INDEX "onboarding_workflow_id_key" ON "onboarding"("workflow_id");

-- CreateIndex
CREATE UNIQUE INDEX "onboarding_client_id_key" ON "onboarding"("client_id");

-- CreateIndex
CREATE INDEX "onboarding_organization_id_status_created_at_idx" ON "onboarding"("organization_id", "status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "onboarding_organization_id_external_chart_id_key" ON "onboarding"("organization_id", "external_chart_id");

-- CreateIndex
CREATE UNIQUE INDEX "onboarding_event_onboarding_id_key_key" ON "onboarding_event"("onboarding_id", "key");

-- AddForeignKey
ALTER TABLE "staff_user" ADD CONSTRAINT "staff_user_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ehr_integration" ADD CONSTRAINT "ehr_integration_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_definition" ADD CONSTRAINT "form_definition_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_package" ADD CONSTRAINT "form_package_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_package_item" ADD CONSTRAINT "form_package_item_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "form_package"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_package_item" ADD CONSTRAINT "form_package_item_form_definition_id_fkey" FOREIGN KEY ("form_definition_id") REFERENCES "form_definition"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client" ADD CONSTRAINT "client_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "onboarding" ADD CONSTRAINT "onboarding_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "onboarding" ADD CONSTRAINT "onboarding_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "ehr_integration"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "onboarding" ADD CONSTRAINT "onboarding_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "onboarding" ADD CONSTRAINT "onboarding_form_package_id_fkey" FOREIGN KEY ("form_package_id") REFERENCES "form_package"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "onboarding_event" ADD CONSTRAINT "onboarding_event_onboarding_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "onboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

