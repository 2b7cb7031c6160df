-- Issue 21: staff actions of the JSON API take an Idempotency-Key header
-- (http/idempotency.ts). One row per organisation and key: a hash of the
-- request it was first used with and, once the action succeeded, its answer,
-- which a retry with the same key gets again. The key is stored hashed.
CREATE TABLE "staff_idempotency_key" (
    "organization_id" UUID NOT NULL,
    "key_hash" TEXT NOT NULL,
    "staff_user_id" UUID NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "response_status" INTEGER,
    "response_body" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "staff_idempotency_key_pkey" PRIMARY KEY ("organization_id","key_hash")
);

CREATE INDEX "staff_idempotency_key_created_at_idx" ON "staff_idempotency_key"("created_at");

-- The service role's default privileges cover new tables already; said here so the grant is visible.
GRANT SELECT, INSERT, UPDATE, DELETE ON "staff_idempotency_key" TO "portal_service";
