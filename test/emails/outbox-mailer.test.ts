import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createMailer,
  createOutboxMailer,
  listOutbox,
  readOutboxMessage,
  type OutgoingEmail,
} from '../../emails/mailer';
import { renderEmail } from '../../emails/registry';

const FROM = 'Client Portal <portal@localhost>';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'outbox-test-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function unique(): string {
  return randomBytes(6).toString('hex');
}

async function reminderEmail(): Promise<OutgoingEmail> {
  const invitationId = randomUUID();
  const rendered = await renderEmail('invitation-reminder', {
    practiceName: `Maple Street Psychology ${unique()}`,
    recipientName: 'Riley',
    registerUrl: `https://portal.example.test/portal/register/tok_${unique()}`,
    expiresAt: '2026-12-01T17:00:00.000Z',
    daysLeft: 2,
  });
  return {
    to: `client-${unique()}@example.test`,
    ...rendered,
    idempotencyKey: `invitation-reminder:${invitationId}:3`,
    tags: { template: 'invitation-reminder' },
  };
}

describe('outbox mailer', () => {
  it('writes each email as JSON and HTML into a directory it creates', async () => {
    const dir = path.join(root, 'nested', 'outbox');
    const mailer = createOutboxMailer({ dir, from: FROM });
    const email = await reminderEmail();

    const sent = await mailer.send(email);

    expect(mailer.kind).toBe('outbox');
    const files = await readdir(dir);
    expect(files.sort()).toEqual([expect.stringMatching(/\.html$/), expect.stringMatching(/\.json$/)]);
    const id = sent.providerMessageId.replace(/^outbox-/, '');
    expect(files).toEqual(expect.arrayContaining([`${id}.json`, `${id}.html`]));
    const written = JSON.parse(await readFile(path.join(dir, `${id}.json`), 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({
      to: email.to,
      from: FROM,
      subject: email.subject,
      text: email.text,
      html: email.html,
      tags: email.tags,
      idempotencyKey: email.idempotencyKey,
    });
    expect(Date.now() - Date.parse(String(written.createdAt))).toBeLessThan(60_000);
    expect(await readFile(path.join(dir, `${id}.html`), 'utf8')).toBe(email.html);
  });

  it('keeps the first email and returns the same id when the same key is sent again', async () => {
    const mailer = createOutboxMailer({ dir: root, from: FROM });
    const email = await reminderEmail();

    const first = await mailer.send(email);
    const again = await mailer.send({ ...email, subject: 'A different subject', html: '<p>changed</p>' });

    expect(again.providerMessageId).toBe(first.providerMessageId);
    const messages = await listOutbox(root);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ subject: email.subject, html: email.html });
    expect(await readdir(root)).toHaveLength(2);
  });

  it('gives keys that differ only in unsafe characters files of their own', async () => {
    const mailer = createOutboxMailer({ dir: root, from: FROM });
    const email = await reminderEmail();
    const base = `invitation-${unique()}`;

    const colon = await mailer.send({ ...email, idempotencyKey: `${base}:1` });
    const underscore = await mailer.send({ ...email, idempotencyKey: `${base}_1` });

    expect(colon.providerMessageId).not.toBe(underscore.providerMessageId);
    expect(await listOutbox(root)).toHaveLength(2);
  });

  it('lists the outbox newest first and reads one message back by id', async () => {
    const mailer = createOutboxMailer({ dir: root, from: FROM });
    const sent: { subject: string; providerMessageId: string }[] = [];
    for (let i = 0; i < 3; i += 1) {
      const email = await reminderEmail();
      sent.push({ subject: email.subject, ...(await mailer.send(email)) });
      await sleep(5); // distinct createdAt timestamps
    }

    const listed = await listOutbox(root);

    expect(listed.map((message) => message.subject)).toEqual(sent.map((email) => email.subject).reverse());
    const oldest = listed[2]!;
    expect(oldest.providerMessageId).toBe(sent[0]!.providerMessageId);
    expect(await readOutboxMessage(root, oldest.id)).toEqual(oldest);
  });

  it('finds nothing for an unknown id, an id that tries to leave the directory, or an outbox never written to', async () => {
    expect(await readOutboxMessage(root, `missing-${unique()}`)).toBeUndefined();
    expect(await readOutboxMessage(root, '../outbox-test/secret')).toBeUndefined();
    expect(await listOutbox(path.join(root, 'never-written'))).toEqual([]);
  });

  it('is what createMailer builds for EMAIL_TRANSPORT=outbox', async () => {
    const mailer = createMailer({ transport: 'outbox', from: FROM, outboxDir: root });
    await mailer.send(await reminderEmail());

    expect(mailer.kind).toBe('outbox');
    expect(await listOutbox(root)).toHaveLength(1);
  });
});
