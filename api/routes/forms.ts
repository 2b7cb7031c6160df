import type { Client } from '@temporalio/client';
import express, { Router } from 'express';
import type { Db } from '../../db/client';
import { recordAudit } from '../../audit/audit-log';
import { originOf } from '../../http/audit-context';
import {
  ZFormKeyParams,
  ZFormVersionParams,
  ZOnboardingDocumentParams,
  ZPackageKeyParams,
  ZPublishFormRequest,
  ZPutFormPackageRequest,
  ZSendFormsRequest,
} from '../../schemas/forms';
import { ZOnboardingParams } from '../../schemas/onboarding';
import { audited } from '../../http/staff-audit';
import { requireStaff, staffOf } from '../../http/staff-auth';
import { FORM_DEFINITION_BODY_LIMIT } from '../../http/body-limits';
import {
  assertAdmin,
  getForm,
  listForms,
  listPackages,
  publishForm,
  putPackage,
} from '../../use-cases/forms/form-catalog';
import { listOnboardingForms, readSignedForm, sendForms } from '../../use-cases/forms/onboarding-forms';
import { signedFormPdf } from '../../use-cases/forms/signed-forms';
import { validate } from '../../http/validate';

export interface FormRouteDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

/**
 * The organisation's form catalogue (admins publish forms and packages; all
 * staff may read them), and an onboarding's forms: send more, per-form
 * status, and the signed documents with their answers (audited).
 */
export function formRoutes(deps: FormRouteDeps): Router {
  const router = Router();
  const { db } = deps;
  router.use(['/v1/forms', '/v1/form-packages', '/v1/onboardings'], requireStaff(db));
  // After requireStaff: a form definition's half megabyte is read for staff only.
  router.use(
    '/v1/forms',
    express.json({ limit: FORM_DEFINITION_BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] }),
  );

  const auditCatalog = (req: Parameters<typeof originOf>[0], action: string, detail: Record<string, string | number>) =>
    recordAudit(db, {
      organizationId: staffOf(req).organizationId,
      actor: { type: 'staff', id: staffOf(req).staffUserId },
      action,
      outcome: 'success',
      origin: originOf(req),
      detail,
    });

  router.get('/v1/forms', async (req, res) => {
    res.json({ forms: await listForms(db, staffOf(req).organizationId) });
  });

  router.post('/v1/forms', async (req, res) => {
    assertAdmin(staffOf(req));
    const body = validate(ZPublishFormRequest, req.body);
    const { form, created } = await publishForm(db, staffOf(req).organizationId, body);
    if (created) await auditCatalog(req, 'form.publish', { key: form.key, version: form.version });
    res.status(created ? 201 : 200).json(form);
  });

  router.get('/v1/forms/:key', async (req, res) => {
    const { key } = validate(ZFormKeyParams, req.params, ['params']);
    res.json(await getForm(db, staffOf(req).organizationId, key));
  });

  router.get('/v1/forms/:key/versions/:version', async (req, res) => {
    const { key, version } = validate(ZFormVersionParams, req.params, ['params']);
    res.json(await getForm(db, staffOf(req).organizationId, key, version));
  });

  router.get('/v1/form-packages', async (req, res) => {
    res.json({ packages: await listPackages(db, staffOf(req).organizationId) });
  });

  router.put('/v1/form-packages/:key', async (req, res) => {
    assertAdmin(staffOf(req));
    const { key } = validate(ZPackageKeyParams, req.params, ['params']);
    const body = validate(ZPutFormPackageRequest, req.body);
    const saved = await putPackage(db, staffOf(req).organizationId, key, body);
    await auditCatalog(req, 'form_package.save', { key, forms: saved.forms.length });
    res.json(saved);
  });

  router.get('/v1/onboardings/:onboardingId/forms', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    res.json(
      await audited(db, req, 'forms.list', onboardingId, () => listOnboardingForms(db, staffOf(req), onboardingId)),
    );
  });

  router.post('/v1/onboardings/:onboardingId/form-requests', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    const body = validate(ZSendFormsRequest, req.body);
    const sent = await audited(db, req, 'forms.send', onboardingId, () =>
      sendForms(deps, staffOf(req), onboardingId, body),
    );
    res.status(sent.request ? 201 : 200).json(sent);
  });

  router.get('/v1/onboardings/:onboardingId/documents/:assignmentId', async (req, res) => {
    const { onboardingId, assignmentId } = validate(ZOnboardingDocumentParams, req.params, ['params']);
    const form = await audited(db, req, 'form.read', onboardingId, () =>
      readSignedForm(db, staffOf(req), onboardingId, assignmentId),
    );
    res.json({
      assignmentId: form.assignmentId,
      onboardingId: form.onboardingId,
      form: { id: form.form.id, key: form.form.key, version: form.form.version, title: form.form.title },
      answers: form.answers,
      scores: form.scores,
      signature: form.signature,
      verification: form.verification,
    });
  });

  router.get('/v1/onboardings/:onboardingId/documents/:assignmentId/pdf', async (req, res) => {
    const { onboardingId, assignmentId } = validate(ZOnboardingDocumentParams, req.params, ['params']);
    const form = await audited(db, req, 'form.download', onboardingId, () =>
      readSignedForm(db, staffOf(req), onboardingId, assignmentId),
    );
    const pdf = await signedFormPdf(form);
    res
      .status(200)
      .type('application/pdf')
      .setHeader('Content-Disposition', `attachment; filename="${form.form.key}-v${form.form.version}.pdf"`)
      .setHeader('Cache-Control', 'no-store')
      .send(Buffer.from(pdf));
  });

  return router;
}
