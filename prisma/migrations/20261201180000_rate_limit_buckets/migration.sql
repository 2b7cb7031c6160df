-- Rate limits shared by every API instance (security/rate-limiter.ts): one row
-- per limit, client address and fixed window, counted with an atomic upsert.
-- The key is an HMAC, never the address itself.
CREATE TABLE "rate_limit_bucket" (
    "key_hash" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "hits" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_limit_bucket_pkey" PRIMARY KEY ("key_hash","window_start")
);

CREATE INDEX "rate_limit_bucket_expires_at_idx" ON "rate_limit_bucket"("expires_at");
