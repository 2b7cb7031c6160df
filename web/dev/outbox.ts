import { Router } from 'express';
import { listOutbox, readOutboxMessage } from '../../emails/mailer';
import { EMAIL_TEMPLATE_IDS, EMAIL_TEMPLATES, renderEmail, type EmailTemplateId } from '../../emails/registry';
import { AppError } from '../../use-cases/app-error';
import { html, page } from '../html';
import { emailAsPage } from './email-page';

/**
 * Local development only (mounted when email goes to the outbox): read the
 * emails the flows sent, and preview every template with its preview props.
 */
export function devEmailRoutes(options: { outboxDir: string }): Router {
  const router = Router();
  router.use('/dev', (_req, res, next) => {
    // Email HTML is full of inline styles and remote images; these pages are local-only.
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src * data:");
    next();
  });

  router.get('/dev/outbox', async (_req, res) => {
    const messages = await listOutbox(options.outboxDir);
    res.type('html').send(
      page({
        title: 'Email outbox',
        body: html`<div class="card">
          <p class="hint">Emails sent while EMAIL_TRANSPORT=outbox, newest first. Files: ${options.outboxDir}</p>
          ${messages.length === 0 ? html`<p>No emails yet.</p>` : ''}
          <ul>
            ${messages.map(
              (message) =>
                html`<li>
                  <a href="/dev/outbox/${message.id}">${message.subject}</a><br /><span class="hint"
                    >to ${message.to}, ${message.createdAt}</span
                  >
                </li>`,
            )}
          </ul>
          <p><a href="/dev/emails">Template previews</a></p>
        </div>`,
      }),
    );
  });

  router.get('/dev/outbox/:id', async (req, res) => {
    const message = await readOutboxMessage(options.outboxDir, req.params.id);
    if (!message) throw new AppError('NOT_FOUND', 'no such outbox message');
    if (req.query.format === 'text') {
      res.type('text/plain').send(message.text);
      return;
    }
    res.type('html').send(
      emailAsPage(message.html, {
        title: `${message.subject} – Email outbox`,
        heading: message.subject,
        meta: `To ${message.to}, ${message.createdAt}`,
      }),
    );
  });

  router.get('/dev/emails', (_req, res) => {
    res.type('html').send(
      page({
        title: 'Email templates',
        body: html`<div class="card">
          <ul>
            ${EMAIL_TEMPLATE_IDS.map(
              (id) =>
                html`<li><a href="/dev/emails/${id}">${id}</a> (<a href="/dev/emails/${id}?format=text">text</a>)</li>`,
            )}
          </ul>
        </div>`,
      }),
    );
  });

  router.get('/dev/emails/:template', async (req, res) => {
    const id = req.params.template as EmailTemplateId;
    if (!EMAIL_TEMPLATE_IDS.includes(id)) throw new AppError('NOT_FOUND', 'no such template');
    const rendered = await renderEmail(id, EMAIL_TEMPLATES[id].previewProps as never);
    if (req.query.format === 'text') {
      res.type('text/plain').send(rendered.text);
      return;
    }
    res.type('html').send(
      emailAsPage(rendered.html, {
        title: `Preview: ${id} – Email templates`,
        heading: `Preview: ${id}`,
        meta: `Subject: ${rendered.subject}`,
      }),
    );
  });

  return router;
}
