-- Issue 20, part 3: a client holding an expired or superseded invitation link
-- may ask for a fresh one ("Email me a new link"). On for every practice,
-- existing ones too: it spares the front desk a phone call, and the new link
-- only ever goes to the address already on file. A practice may turn it off.

-- AlterTable
ALTER TABLE "organization" ADD COLUMN     "client_link_requests" BOOLEAN NOT NULL DEFAULT true;
