/**
 * A client's page: status, contact, forms, account and timeline, with the
 * actions staff may take; and the signed forms' PDFs.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { formatMoney } from '../../domain/money';
import { audited } from '../../http/staff-audit';
import { AppError } from '../../use-cases/app-error';
import { getOnboarding } from '../../use-cases/onboarding/get-onboarding';
import { listOnboardingForms, readSignedForm } from '../../use-cases/forms/onboarding-forms';
import { signedFormPdf } from '../../use-cases/forms/signed-forms';
import { clientBilling } from '../../use-cases/billing/client-billing';
import { html, type Html } from '../html';
import { send } from '../send-page';
import { ACTIONS, actionsFor, isDestructive, type ActionName } from './client-actions';
import { historyFacts, invitationLine, timelineSection } from './client-timeline';
import { badge, formatWhen } from './status-label';
import type { StaffPages } from './staff-session';
import { needsReviewNotice } from './needs-review';
import { emailTrails } from '../../use-cases/onboarding/email-trail';
import { emailTrailSection } from './email-trail';
import { listPortalUsers } from '../../use-cases/accounts/portal-users';
import { portalUsersSection } from './portal-users-section';
import { PORTAL_USER_ACTIONS, type PortalUserActionName } from './portal-user-actions';

export function clientPageRoutes(deps: StaffPages): Router {
  const router = Router();
  const { db, sessionOf, layout, onboardingIdOf, assertVisible, clientContact } = deps;

  const clientPage = async (req: Request, res: Response, onboardingId: string, notice: Html | null) => {
    const { org, user } = sessionOf(res);
    const [onboarding, forms, client, emails] = await Promise.all([
      getOnboarding(deps, user, onboardingId),
      listOnboardingForms(db, user, onboardingId),
      clientContact(user, onboardingId),
      emailTrails(db, onboardingId),
    ]);
    // Billing is the client's PHI too: ops, who never see names, do not see it either.
    const billing = user.role !== 'OPS' && onboarding.clientId ? await clientBilling(db, onboarding.clientId) : null;
    const name = client?.client ? `${client.client.firstName} ${client.client.lastName}` : onboarding.externalChartId;
    // Contacts' names and emails are PHI: ops, who never see names, do not see this card.
    const portalUsers =
      user.role !== 'OPS' && onboarding.clientId ? (await listPortalUsers(db, user, onboardingId)).portalUsers : null;
    const mayAct = user.role === 'ADMIN' || user.canInvite;
    const actions = mayAct ? actionsFor(onboarding.status, onboarding.portalAccount) : [];
    const allForms = forms.requests.flatMap((request) => request.forms);
    const history = await historyFacts(db, org.id, onboardingId, onboarding.timeline);
    const labels = {
      staff: history.staff,
      formTitles: new Map(allForms.map((form) => [form.assignmentId, form.title])),
      showAmounts: user.role !== 'OPS',
    };
    return layout(
      req,
      res,
      name,
      html`${notice ?? ''}
        ${needsReviewNotice({ role: user.role, orgSlug: org.slug, onboardingId, timeZone: org.timeZone, timeline: onboarding.timeline, forms: allForms })}
        <div class="grid2">
          <section class="card">
            <h2>Onboarding</h2>
            <dl class="facts">
              <dt>Status</dt>
              <dd>${badge(onboarding.status, onboarding.forms)}</dd>
              ${
                onboarding.portalAccount
                  ? html`<dt>Portal access</dt>
                      <dd>${portalAccessWords(onboarding.portalAccount.status)}</dd>`
                  : ''
              }
              <dt>Chart</dt>
              <dd>${onboarding.externalChartId}</dd>
              ${
                client
                  ? html`<dt>Email</dt>
                      <dd>${client.client?.portalAccount?.email ?? client.client?.email ?? '—'}</dd>
                      ${
                        client.client?.portalAccount?.ownerName
                          ? html`<dt>Portal owner</dt>
                              <dd>${client.client.portalAccount.ownerName}</dd>`
                          : ''
                      }
                      <dt>Clinician</dt>
                      <dd>${client.assignedStaff?.displayName ?? '—'}</dd>`
                  : ''
              }
              <dt>Invitation</dt>
              <dd>${invitationLine(history.invitation, onboarding.timeline, labels, org.timeZone)}</dd>
              <dt>Created</dt>
              <dd>${formatWhen(onboarding.createdAt, org.timeZone)}</dd>
              <dt>Updated</dt>
              <dd>${formatWhen(onboarding.updatedAt, org.timeZone)}</dd>
            </dl>
            ${
              actions.length
                ? html`<h2>Actions</h2>
                    <div class="actions">
                      ${actions.map(
                        (action) =>
                          html`<a
                            class="button ${isDestructive(action) ? 'danger' : ''}"
                            href="/staff/${org.slug}/onboardings/${onboardingId}/${action}"
                            >${ACTIONS[action].label}</a
                          >`,
                      )}
                    </div>`
                : ''
            }
          </section>
          <section class="card">
            <h2>Forms</h2>
            ${
              allForms.length
                ? html`<ul class="documents">
                    ${allForms.map(
                      (form) =>
                        html`<li>
                          <span>${form.title} <span class="hint">v${form.version}</span></span>
                          <span class="tag tag-${form.status.toLowerCase()}"
                            >${
                              form.status === 'SUBMITTED'
                                ? 'Signed'
                                : form.status === 'IN_PROGRESS'
                                  ? 'Draft saved'
                                  : form.status === 'CANCELLED'
                                    ? 'Withdrawn'
                                    : 'Waiting'
                            }</span
                          >
                          ${
                            form.status === 'SUBMITTED' && user.role !== 'OPS'
                              ? html`<a
                                    href="/staff/${org.slug}/onboardings/${onboardingId}/documents/${form.assignmentId}"
                                    >Answers<span class="visually-hidden"> to ${form.title}</span></a
                                  >
                                  <a
                                    href="/staff/${org.slug}/onboardings/${onboardingId}/documents/${form.assignmentId}/pdf"
                                    >PDF<span class="visually-hidden"> of ${form.title}</span></a
                                  >${
                                    actions.includes('forms')
                                      ? html`<a
                                          href="/staff/${org.slug}/onboardings/${onboardingId}/forms?again=${form.formKey}"
                                          >Send again<span class="visually-hidden"> ${form.title}</span></a
                                        >`
                                      : ''
                                  }`
                              : ''
                          }
                        </li>`,
                    )}
                  </ul>`
                : html`<p>No forms sent.</p>`
            }
          </section>
        </div>
        ${portalUsers ? portalUsersSection(portalUsers, name, org.timeZone, mayAct ? { base: `/staff/${org.slug}/onboardings/${onboardingId}` } : null) : ''}
        ${
          billing
            ? html`<section class="card" style="margin-top:1rem" data-testid="billing">
                <h2>Account</h2>
                <dl class="facts">
                  <dt>Balance</dt>
                  <dd>${formatMoney(billing.balanceCents)} (${billing.openInvoices} open invoices)</dd>
                  <dt>Cards on file</dt>
                  <dd>${billing.cardsOnFile}</dd>
                  ${
                    onboarding.paymentStep
                      ? html`<dt>Payment step</dt>
                          <dd>
                            ${onboarding.paymentStep.kind === 'DEPOSIT' ? `Deposit of ${formatMoney(onboarding.paymentStep.amountCents ?? 0)}` : 'Card on file'}:
                            ${onboarding.paymentStep.status === 'DONE' ? 'done' : onboarding.paymentStep.status === 'IN_PROGRESS' ? 'in progress' : 'outstanding'}
                          </dd>`
                      : ''
                  }
                </dl>
                ${
                  billing.payments.length
                    ? html`<ul class="documents">
                        ${billing.payments.map(
                          (payment) =>
                            html`<li>
                              <span
                                >${formatMoney(payment.amountCents)}
                                ${payment.kind === 'DEPOSIT' ? '(deposit)' : ''}</span
                              >
                              <span class="hint"
                                >${payment.receiptNumber},
                                ${formatWhen(payment.paidAt.toISOString(), org.timeZone)}</span
                              >
                            </li>`,
                        )}
                      </ul>`
                    : html`<p>No portal payments.</p>`
                }
              </section>`
            : ''
        }
        ${emailTrailSection(emails, org.timeZone)} ${timelineSection(onboarding.timeline, labels, org.timeZone)}`,
    );
  };

  router.get('/staff/:orgSlug/onboardings/:onboardingId', async (req, res) => {
    const { user } = sessionOf(res);
    const onboardingId = onboardingIdOf(req.params.onboardingId);
    const done =
      typeof req.query.done === 'string' && Object.hasOwn(ACTIONS, req.query.done)
        ? ACTIONS[req.query.done as ActionName].label
        : typeof req.query.done === 'string' && Object.hasOwn(PORTAL_USER_ACTIONS, req.query.done)
          ? PORTAL_USER_ACTIONS[req.query.done as PortalUserActionName].label
          : null;
    const body = await audited(db, req, 'onboarding.read', onboardingId, async () => {
      await assertVisible(user, onboardingId);
      return clientPage(req, res, onboardingId, done ? html`<p class="ok" role="status">${done}: done.</p>` : null);
    });
    send(res, 200, body);
  });

  router.get('/staff/:orgSlug/onboardings/:onboardingId/documents/:assignmentId/pdf', async (req, res) => {
    const { user } = sessionOf(res);
    const onboardingId = onboardingIdOf(req.params.onboardingId);
    const assignmentId = z.uuid().safeParse(req.params.assignmentId);
    if (!assignmentId.success) throw new AppError('NOT_FOUND', 'bad assignment id');
    const form = await audited(db, req, 'form.download', onboardingId, () =>
      readSignedForm(db, user, onboardingId, assignmentId.data),
    );
    res
      .status(200)
      .type('application/pdf')
      .setHeader('Content-Disposition', `attachment; filename="${form.form.key}-v${form.form.version}.pdf"`)
      .send(Buffer.from(await signedFormPdf(form)));
  });

  return router;
}

/** The portal login as staff need to know it: whether the client can get in right now. */
function portalAccessWords(status: 'INVITED' | 'ACTIVE' | 'REVOKED'): string {
  if (status === 'ACTIVE') return 'Active: the client can sign in';
  if (status === 'INVITED') return 'Not registered yet';
  return 'Revoked: the client cannot sign in';
}
