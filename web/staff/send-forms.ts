/**
 * "Send forms" on a client's page (seed 003, issue 13): a package or single
 * forms, each shown with where it stands for the client, so staff see before
 * sending what will be skipped; a signed form can be sent again to be
 * re-signed. The page after sending says what went, what did not and why.
 */
import { Router, type Request, type Response } from 'express';
import { audited } from '../../http/staff-audit';
import type { TSendFormsRequest, TSendFormsResponse } from '../../schemas/forms';
import { AppError } from '../../use-cases/app-error';
import { listForms, listPackages } from '../../use-cases/forms/form-catalog';
import { clientFormStates, type ClientFormState } from '../../use-cases/forms/form-sending-plan';
import { sendForms } from '../../use-cases/forms/onboarding-forms';
import { assertMayManageInvitations } from '../../use-cases/staff-principal';
import { html, type Html } from '../html';
import { send } from '../send-page';
import type { StaffPages } from './staff-session';

/** What staff ticked, kept when the page comes back with a problem. */
interface Picked {
  packageKey: string | null;
  formKeys: string[];
  sendAgain: string[];
}

const listOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string' && item !== '');

function formatDay(date: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone }).format(new Date(date));
}

export function sendFormsRoutes(deps: StaffPages): Router {
  const router = Router();
  const { db, csrf, checkCsrf, sessionOf, layout, onboardingIdOf, assertVisible } = deps;
  const path = (slug: string, onboardingId: string) => `/staff/${slug}/onboardings/${onboardingId}`;

  /** Who the forms go to, and whether they can sign in yet. */
  const recipientOf = (onboardingId: string) =>
    db.onboarding.findUniqueOrThrow({
      where: { id: onboardingId },
      select: {
        client: {
          select: {
            firstName: true,
            lastName: true,
            email: true,
            portalAccount: { select: { email: true, status: true } },
          },
        },
      },
    });

  const notRegisteredNote = (firstName: string) =>
    html`<p class="hint" data-testid="not-registered">
      ${firstName} has not registered for the portal yet. The forms wait in the portal, and the email asks ${firstName}
      to register with the invitation first; they are listed under My Documents once signed in.
    </p>`;

  const choosePage = async (
    req: Request,
    res: Response,
    onboardingId: string,
    picked: Picked,
    problem: string | null,
  ) => {
    const { org } = sessionOf(res);
    const [recipient, packages, catalog, states] = await Promise.all([
      recipientOf(onboardingId),
      listPackages(db, org.id),
      listForms(db, org.id),
      clientFormStates(db, onboardingId),
    ]);
    const client = recipient.client;
    const emailTo = client?.portalAccount?.email ?? client?.email ?? null;
    const selectedPackage = picked.packageKey ?? packages.find((pkg) => pkg.isDefault)?.key ?? null;
    const back = path(org.slug, onboardingId);
    const csrfField = html`<input type="hidden" name="_csrf" value="${csrf(req, res)}" />`;

    const formChoice = (form: { key: string; version: number; title: string }): Html => {
      const state: ClientFormState | undefined = states.get(form.key);
      if (state?.waiting) {
        return html`<li class="choice-row" data-form="${form.key}">
          <span>${form.title}</span>
          <span class="hint"
            >Already waiting for the client (sent ${formatDay(state.waiting.since, org.timeZone)})</span
          >
        </li>`;
      }
      const signed = state?.signed.find((entry) => entry.version === form.version);
      if (signed) {
        return html`<li class="choice-row" data-form="${form.key}">
          <label class="choice">
            <input
              type="checkbox"
              name="sendAgain"
              value="${form.key}"
              ${picked.sendAgain.includes(form.key) ? html`checked` : ''}
            />
            <span
              >${form.title}: send again to be signed again
              <span class="hint">(signed on ${formatDay(signed.at, org.timeZone)})</span></span
            >
          </label>
        </li>`;
      }
      const older = state?.signed[0];
      return html`<li class="choice-row" data-form="${form.key}">
        <label class="choice">
          <input
            type="checkbox"
            name="formKeys"
            value="${form.key}"
            ${picked.formKeys.includes(form.key) || picked.sendAgain.includes(form.key) ? html`checked` : ''}
          />
          <span
            >${form.title}
            ${
              older
                ? html`<span class="hint"
                    >(version ${form.version}; version ${older.version} signed on
                    ${formatDay(older.at, org.timeZone)})</span
                  >`
                : ''
            }</span
          >
        </label>
      </li>`;
    };

    return layout(
      req,
      res,
      'Send forms',
      html`${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
        <div class="card">
          ${
            client
              ? html`<p class="client-named" style="margin-top:0">
                  Client: <strong>${client.firstName} ${client.lastName}</strong>${
                    emailTo ? html` · email goes to <strong>${emailTo}</strong>` : ''
                  }
                </p>`
              : ''
          }
          <p style="margin-bottom:0">
            The client gets one email listing every form waiting in their portal. Forms already waiting are not sent
            twice, and forms already signed are sent again only if you tick them below.
          </p>
          ${client && client.portalAccount?.status !== 'ACTIVE' ? notRegisteredNote(client.firstName) : ''}
        </div>
        <div class="grid2" style="margin-top:1rem">
          <form method="post" class="card">
            ${csrfField}
            <input type="hidden" name="mode" value="package" />
            <h2 style="margin-top:0">A package</h2>
            <label for="packageKey">Form &amp; Assessment Package</label>
            <select id="packageKey" name="packageKey">
              ${packages.map(
                (pkg) =>
                  html`<option value="${pkg.key}" ${pkg.key === selectedPackage ? html`selected` : ''}>
                    ${pkg.name} (${pkg.forms.length} forms)
                  </option>`,
              )}
            </select>
            <button type="submit" name="confirm" value="yes">Send this package</button>
          </form>
          <form method="post" class="card">
            ${csrfField}
            <input type="hidden" name="mode" value="forms" />
            <fieldset>
              <legend><h2 style="margin:0;font-size:1.15rem">Single forms</h2></legend>
              <ul class="documents choices">
                ${catalog.map(formChoice)}
              </ul>
            </fieldset>
            <button type="submit" name="confirm" value="yes">Send the forms ticked</button>
          </form>
        </div>
        <div class="actions" style="margin-top:1rem">
          <a class="button secondary" href="${back}">No, go back to the client’s page</a>
        </div>`,
    );
  };

  const resultPage = async (
    req: Request,
    res: Response,
    onboardingId: string,
    outcome: TSendFormsResponse,
    sentAgain: string[],
  ) => {
    const { org } = sessionOf(res);
    const { client } = await recipientOf(onboardingId);
    const name = client ? `${client.firstName} ${client.lastName}` : 'the client';
    const emailTo = client?.portalAccount?.email ?? client?.email ?? null;
    const why = (skipped: TSendFormsResponse['skipped'][number]) =>
      skipped.reason === 'ALREADY_WAITING'
        ? `already waiting for the client (sent ${formatDay(skipped.since, org.timeZone)})`
        : `already signed on ${formatDay(skipped.since, org.timeZone)}`;
    const sentCount = outcome.sent.length === 1 ? '1 form' : `${outcome.sent.length} forms`;
    return layout(
      req,
      res,
      outcome.sent.length ? 'Forms sent' : 'Nothing new to send',
      html`<div class="card">
        ${
          outcome.sent.length
            ? html`<p class="ok" role="status" style="margin-top:0">
                Sent ${sentCount} to
                ${name}.${emailTo ? ` An email goes to ${emailTo}, listing every form waiting in the portal.` : ''}
              </p>`
            : html`<p class="ok" role="status" style="margin-top:0">
                Nothing was sent: ${name} already has every one of these forms. No email was sent.
              </p>`
        }
        ${
          outcome.sent.length
            ? html`<h2>Sent</h2>
                <ul class="documents" data-testid="sent">
                  ${outcome.sent.map(
                    (form) =>
                      html`<li>
                        ${form.title}${
                          sentAgain.includes(form.formKey) ? html` <span class="hint">(to be signed again)</span>` : ''
                        }
                      </li>`,
                  )}
                </ul>`
            : ''
        }
        ${
          outcome.skipped.length
            ? html`<h2>Not sent</h2>
                <ul class="documents" data-testid="skipped">
                  ${outcome.skipped.map((form) => html`<li><span>${form.title}: ${why(form)}</span></li>`)}
                </ul>
                ${
                  outcome.skipped.some((form) => form.reason === 'ALREADY_SIGNED')
                    ? html`<p class="hint">
                        To have a signed form signed again, tick it under Single forms on
                        <a href="${path(org.slug, onboardingId)}/forms">Send forms</a>.
                      </p>`
                    : ''
                }`
            : ''
        }
        ${outcome.sent.length && client && !outcome.clientRegistered ? notRegisteredNote(client.firstName) : ''}
        <div class="actions" style="margin-top:1rem">
          <a class="button" href="${path(org.slug, onboardingId)}">Back to ${name}’s page</a>
        </div>
      </div>`,
    );
  };

  router.get('/staff/:orgSlug/onboardings/:onboardingId/forms', async (req, res) => {
    const { user } = sessionOf(res);
    const onboardingId = onboardingIdOf(req.params.onboardingId);
    // The page lists which forms the client has and has signed: a read of the client's record.
    const page = await audited(db, req, 'forms.list', onboardingId, async () => {
      assertMayManageInvitations(user);
      await assertVisible(user, onboardingId);
      const again = listOf(req.query.again);
      return choosePage(req, res, onboardingId, { packageKey: null, formKeys: [], sendAgain: again }, null);
    });
    send(res, 200, page);
  });

  router.post('/staff/:orgSlug/onboardings/:onboardingId/forms', async (req, res) => {
    checkCsrf(req);
    const { user } = sessionOf(res);
    const onboardingId = onboardingIdOf(req.params.onboardingId);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const mode = body.mode === 'forms' ? 'forms' : 'package';
    const picked: Picked = {
      packageKey: mode === 'package' && typeof body.packageKey === 'string' ? body.packageKey : null,
      formKeys: mode === 'forms' ? listOf(body.formKeys) : [],
      sendAgain: mode === 'forms' ? listOf(body.sendAgain) : [],
    };
    const request: TSendFormsRequest =
      mode === 'package'
        ? { packageKey: picked.packageKey ?? '' }
        : {
            formKeys: [...picked.formKeys, ...picked.sendAgain],
            ...(picked.sendAgain.length ? { sendAgain: picked.sendAgain } : {}),
          };
    try {
      const outcome = await audited(db, req, 'forms.send', onboardingId, async () => {
        assertMayManageInvitations(user);
        await assertVisible(user, onboardingId);
        if (mode === 'forms' && request.formKeys?.length === 0) {
          throw new AppError('VALIDATION_FAILED', 'no form ticked', {
            publicMessage: 'Tick at least one form to send, or send a package.',
          });
        }
        return sendForms(deps, user, onboardingId, request);
      });
      send(res, 200, await resultPage(req, res, onboardingId, outcome, picked.sendAgain));
    } catch (error) {
      // A refusal comes back on the same page with its reason and what was ticked.
      if (error instanceof AppError && ['CONFLICT', 'VALIDATION_FAILED', 'UNKNOWN_FORM_PACKAGE'].includes(error.code)) {
        send(
          res,
          error.code === 'CONFLICT' ? 409 : 400,
          await choosePage(req, res, onboardingId, picked, error.publicMessage),
        );
        return;
      }
      throw error;
    }
  });

  return router;
}
