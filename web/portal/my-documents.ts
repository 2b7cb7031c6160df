/**
 * My Documents (seed 002): the signed-in client's forms. Fill in, save a
 * draft and come back, sign electronically, then read the signed form and
 * download its PDF. Plain HTML posts with CSRF tokens; no scores or other
 * clinical interpretation is ever shown here (seed 003).
 */
import type { Client } from '@temporalio/client';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/client';
import type { AnswerError, FormAnswers } from '../../domain/form-answers';
import { SIGNATURE_ATTESTATION } from '../../domain/signature-record';
import type { Logger } from '../../observability/logger';
import { originOf } from '../../http/audit-context';
import { assertCsrf, csrfField } from '../csrf';
import { parseFormFields, renderFormFields } from '../form-fields';
import { renderSubmittedAnswers } from '../submitted-answers';
import { html, page, type Html } from '../html';
import type { PortalUser } from '../../use-cases/accounts/portal-sessions';
import {
  auditDocumentView,
  listPortalDocuments,
  loadPortalDocument,
  saveDraft,
  submitForm,
  type PortalDocument,
} from '../../use-cases/forms/portal-documents';
import { loadSignedForm, signedFormPdf } from '../../use-cases/forms/signed-forms';
import { send } from '../send-page';
import { signedInClient } from './portal-session';
import { crisisAnswers } from '../../domain/crisis-answers';
import { readCrisisMessage } from '../../use-cases/practice/crisis-message';
import { crisisNote } from '../crisis-note';
import type { TPracticeContact } from '../../schemas/practice-settings';

/** Largest number of fields a form page may post (express.urlencoded's parameterLimit). */
export const MAX_FORM_FIELDS = 2000;

export interface PortalDocumentDeps {
  db: Db;
  temporal: Client;
  logger: Logger;
  tokenSigningKey: Buffer;
  secure: boolean;
}

const ZAssignmentId = z.uuid();

const STATUS_LABEL: Record<PortalDocument['status'], string> = {
  PENDING: 'To complete',
  IN_PROGRESS: 'Draft saved',
  SUBMITTED: 'Signed',
};

function formatDate(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
}

function pdfFileName(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .toLowerCase();
  return `${slug || 'form'}.pdf`;
}

export function myDocumentRoutes(deps: PortalDocumentDeps): Router {
  const router = Router();

  /** The practice (with its crisis message, for the PHQ-9) and the signed-in user, or a redirect to sign in. */
  const signedIn = async (req: Request, res: Response) => {
    const session = await signedInClient(deps, req, res);
    if (!session) return null;
    return { ...session, org: { ...session.org, crisisMessage: await readCrisisMessage(deps.db, session.org.id) } };
  };

  /** On the pages after signing, a form signed with an answer that suggests a crisis shows where to get help. */
  const crisisNoteAfterSigning = (org: { crisisMessage: string | null }, document: PortalDocument | null) =>
    document?.status === 'SUBMITTED' && crisisAnswers(document.definition, document.answers).length > 0
      ? crisisNote(org.crisisMessage, { shown: true })
      : '';

  /** The user's own document, or the portal's 404 page: another client's form looks exactly like none. */
  const documentOf = async (user: PortalUser, assignmentId: string) => {
    const parsed = ZAssignmentId.safeParse(assignmentId);
    return parsed.success ? loadPortalDocument(deps.db, user, parsed.data) : null;
  };

  const notFound = (res: Response, org: { name: string; slug: string; contact: TPracticeContact }) =>
    send(
      res,
      404,
      page({
        title: 'Form not found',
        practiceName: org.name,
        contact: org.contact,
        body: html`<div class="card">
          <p>This form is not in your documents. It may have been withdrawn by your practice.</p>
          <a class="button" href="/portal/${org.slug}/documents">Back to My Documents</a>
        </div>`,
      }),
    );

  router.get('/portal/:orgSlug/documents', async (req, res) => {
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, user } = session;
    const documents = await listPortalDocuments(deps.db, user);
    const justSigned = typeof req.query.signed === 'string' ? req.query.signed : null;
    const signedTitle = documents.find((document) => document.assignmentId === justSigned)?.title;
    const signedDocument = signedTitle && justSigned ? await documentOf(user, justSigned) : null;
    send(
      res,
      200,
      page({
        title: 'My Documents',
        practiceName: org.name,
        contact: org.contact,
        brandColor: org.brandColor,
        body: html`${
            signedTitle
              ? html`<p class="ok" role="status">Thank you. "${signedTitle}" is signed and sent to ${org.name}.</p>`
              : ''
          }
          ${crisisNoteAfterSigning(org, signedDocument)}
          <div class="card">
            ${
              documents.length === 0
                ? html`<p>
                    You have no documents yet. ${org.name} will email you when there is something to complete.
                  </p>`
                : html`<ul class="documents">
                    ${documents.map(
                      (document) =>
                        html`<li>
                          <a href="/portal/${org.slug}/documents/${document.assignmentId}">${document.title}</a>
                          <span class="tag tag-${document.status.toLowerCase()}">${STATUS_LABEL[document.status]}</span>
                          ${
                            document.submittedAt
                              ? html`<span class="hint">Signed ${formatDate(document.submittedAt, org.timeZone)}</span>
                                  <a href="/portal/${org.slug}/documents/${document.assignmentId}/pdf"
                                    >Download PDF<span class="visually-hidden"> of ${document.title}</span></a
                                  >`
                              : ''
                          }
                        </li>`,
                    )}
                  </ul>`
            }
            <a class="button secondary" href="/portal/${org.slug}">Back to home</a>
          </div>`,
      }),
    );
  });

  const formPage = (
    req: Request,
    res: Response,
    org: {
      name: string;
      slug: string;
      brandColor: string | null;
      crisisMessage: string | null;
      contact: TPracticeContact;
    },
    document: PortalDocument,
    state: {
      answers: FormAnswers;
      errors: AnswerError[];
      signatureProblem?: string | null;
      signerName?: string;
      /** The "agree to sign" box was ticked: it stays ticked, like the name stays typed. */
      agreed?: boolean;
      saved?: boolean;
    },
  ): string => {
    const problems = state.errors.length + (state.signatureProblem ? 1 : 0);
    return page({
      title: document.title,
      practiceName: org.name,
      contact: org.contact,
      brandColor: org.brandColor,
      body: html`${state.saved ? html`<p class="ok" role="status">Your draft is saved. You can come back to it any time.</p>` : ''}
        ${
          problems > 0
            ? html`<div class="error" role="alert">
                Please check ${problems === 1 ? 'one thing' : `${problems} things`} below before signing.
              </div>`
            : ''
        }
        <form method="post" class="card" novalidate>
          <input type="hidden" name="_csrf" value="${csrfField(req, res, deps.tokenSigningKey, deps.secure)}" />
          ${document.definition.description ? html`<p>${document.definition.description}</p>` : ''}
          ${renderFormFields(document.definition, state.answers, state.errors, { crisisMessage: org.crisisMessage })}
          <fieldset class="signature">
            <h2>Sign</h2>
            <p>${SIGNATURE_ATTESTATION}</p>
            ${state.signatureProblem ? html`<p class="field-error" id="signature-error">${state.signatureProblem}</p>` : ''}
            <label class="choice"
              ><input
                type="checkbox"
                name="agree"
                value="yes"
                ${state.agreed ? html`checked` : ''}
                ${state.signatureProblem ? html`aria-describedby="signature-error"` : ''}
              />
              I agree to sign electronically</label
            >
            <label for="signerName">Your full name</label>
            <input
              id="signerName"
              name="signerName"
              autocomplete="name"
              maxlength="200"
              value="${state.signerName ?? ''}"
              ${state.signatureProblem ? html`aria-invalid="true" aria-describedby="signature-error"` : ''}
            />
          </fieldset>
          <div class="row">
            <div><button type="submit" name="_action" value="save" class="secondary">Save draft</button></div>
            <div><button type="submit" name="_action" value="submit">Sign and submit</button></div>
          </div>
        </form>
        <p><a href="/portal/${org.slug}/documents">Back to My Documents</a></p>`,
    });
  };

  router.get('/portal/:orgSlug/documents/:assignmentId', async (req, res) => {
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, user } = session;
    const document = await documentOf(user, req.params.assignmentId);
    if (!document) return notFound(res, org);
    await auditDocumentView(deps.db, user, document, 'form.view', originOf(req));
    if (document.status === 'SUBMITTED') {
      send(
        res,
        200,
        page({
          title: document.title,
          practiceName: org.name,
          contact: org.contact,
          brandColor: org.brandColor,
          body: html`<div class="card">
            <p class="ok" role="status">
              Signed${document.signedBy ? ` by ${document.signedBy}` : ''}
              ${document.submittedAt ? formatDate(document.submittedAt, org.timeZone) : ''}. This form can no longer be
              changed.
            </p>
            ${crisisNoteAfterSigning(org, document)} ${renderSubmittedAnswers(document.definition, document.answers)}
            <a class="button" href="/portal/${org.slug}/documents/${document.assignmentId}/pdf">Download PDF</a>
            <a class="button secondary" href="/portal/${org.slug}/documents">Back to My Documents</a>
          </div>`,
        }),
      );
      return;
    }
    send(
      res,
      200,
      formPage(req, res, org, document, { answers: document.answers, errors: [], saved: req.query.saved === '1' }),
    );
  });

  router.post('/portal/:orgSlug/documents/:assignmentId', async (req, res) => {
    assertCsrf(req, deps.tokenSigningKey, deps.secure);
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, user } = session;
    const document = await documentOf(user, req.params.assignmentId);
    if (!document) return notFound(res, org);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const answers = parseFormFields(document.definition, body);
    const here = `/portal/${org.slug}/documents/${document.assignmentId}`;
    if (document.status === 'SUBMITTED') {
      res.redirect(303, here);
      return;
    }

    if (body._action !== 'submit') {
      const saved = await saveDraft(deps.db, user, document, answers, originOf(req));
      if (saved.outcome === 'invalid') {
        const draft = { answers: document.answers, errors: saved.errors };
        send(res, 422, formPage(req, res, org, document, draft));
        return;
      }
      res.redirect(303, saved.outcome === 'saved' ? `${here}?saved=1` : here);
      return;
    }

    const signerName = typeof body.signerName === 'string' ? body.signerName : '';
    const result = await submitForm(
      deps,
      user,
      document,
      { answers, signerName, agreed: body.agree === 'yes' },
      originOf(req),
    );
    switch (result.outcome) {
      case 'submitted':
        res.redirect(303, `/portal/${org.slug}/documents?signed=${document.assignmentId}`);
        return;
      case 'already-submitted':
        res.redirect(303, here);
        return;
      case 'invalid': {
        const state = {
          answers: result.answers,
          errors: result.errors,
          signatureProblem: result.signatureProblem,
          signerName,
          agreed: body.agree === 'yes',
        };
        send(res, 422, formPage(req, res, org, document, state));
        return;
      }
    }
  });

  router.get('/portal/:orgSlug/documents/:assignmentId/pdf', async (req, res) => {
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, user } = session;
    const document = await documentOf(user, req.params.assignmentId);
    const signed = document
      ? await loadSignedForm(deps.db, { organizationId: org.id, assignmentId: document.assignmentId })
      : null;
    if (!document || !signed) return notFound(res, org);
    await auditDocumentView(deps.db, user, document, 'form.download', originOf(req));
    const pdf = await signedFormPdf(signed);
    res
      .status(200)
      .type('application/pdf')
      .setHeader('Content-Disposition', `attachment; filename="${pdfFileName(document.title)}"`)
      .setHeader('Cache-Control', 'no-store')
      .send(Buffer.from(pdf));
  });

  return router;
}

export type { Html };
