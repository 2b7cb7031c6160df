-- Staff second factor (issue 14, item 12): a TOTP authenticator per staff
-- member, one-time recovery codes, and the practice's switch that makes it
-- required for admins and therapists (off for existing practices).

-- AlterTable
ALTER TABLE "organization" ADD COLUMN     "require_second_factor" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
-- The secret is stored sealed only (security/secret-box.ts), like the
-- integration secrets: a dump or a replica does not hand out authenticators.
CREATE TABLE "staff_second_factor" (
    "staff_user_id" UUID NOT NULL,
    "secret" TEXT NOT NULL,
    "confirmed_at" TIMESTAMPTZ(3),
    "last_used_step" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "staff_second_factor_pkey" PRIMARY KEY ("staff_user_id"),
    CONSTRAINT "staff_second_factor_secret_sealed" CHECK ("secret" LIKE 'enc:%')
);

-- CreateTable
CREATE TABLE "staff_recovery_code" (
    "id" UUID NOT NULL,
    "staff_user_id" UUID NOT NULL,
    "code_hash" TEXT NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "staff_recovery_code_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "staff_recovery_code_code_hash_key" ON "staff_recovery_code"("code_hash");

-- CreateIndex
CREATE INDEX "staff_recovery_code_staff_user_id_idx" ON "staff_recovery_code"("staff_user_id");

-- AddForeignKey
ALTER TABLE "staff_second_factor" ADD CONSTRAINT "staff_second_factor_staff_user_id_fkey" FOREIGN KEY ("staff_user_id") REFERENCES "staff_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "staff_recovery_code" ADD CONSTRAINT "staff_recovery_code_staff_user_id_fkey" FOREIGN KEY ("staff_user_id") REFERENCES "staff_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;
