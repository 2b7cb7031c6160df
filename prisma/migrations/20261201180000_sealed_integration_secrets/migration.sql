-- Integration secrets (webhook signing, previous signing and callback secrets)
-- are stored sealed only (security/secret-box.ts: `enc:v1:<keyId>:…`). The
-- database refuses any write that would store one in plaintext, whoever makes
-- it: a hand-written UPDATE included (seal a value first with
-- `npm run secrets:encrypt -- --seal`). Rows from before encryption at rest
-- keep their plaintext only until the API or the worker next starts: both
-- seal every plaintext secret at start-up (app/from-config.ts). A column not
-- written is not checked, so such a row can still be changed meanwhile.
CREATE FUNCTION "ehr_integration_refuse_plaintext_secrets"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW."signing_secret" NOT LIKE 'enc:%'
      OR NEW."previous_signing_secret" NOT LIKE 'enc:%'
      OR NEW."callback_secret" NOT LIKE 'enc:%' THEN
      RAISE EXCEPTION 'ehr_integration secrets must be stored encrypted (seal them with npm run secrets:encrypt -- --seal)'
        USING ERRCODE = 'check_violation';
    END IF;
  ELSIF (NEW."signing_secret" IS DISTINCT FROM OLD."signing_secret" AND NEW."signing_secret" NOT LIKE 'enc:%')
    OR (NEW."previous_signing_secret" IS DISTINCT FROM OLD."previous_signing_secret"
      AND NEW."previous_signing_secret" NOT LIKE 'enc:%')
    OR (NEW."callback_secret" IS DISTINCT FROM OLD."callback_secret" AND NEW."callback_secret" NOT LIKE 'enc:%') THEN
    RAISE EXCEPTION 'ehr_integration secrets must be stored encrypted (seal them with npm run secrets:encrypt -- --seal)'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER "ehr_integration_secrets_sealed"
BEFORE INSERT OR UPDATE OF "signing_secret", "previous_signing_secret", "callback_secret" ON "ehr_integration"
FOR EACH ROW EXECUTE FUNCTION "ehr_integration_refuse_plaintext_secrets"();
