import { randomBytes, randomUUID } from 'node:crypto';
import { createMailer, createResendMailer, EmailDeliveryError, type OutgoingEmail } from '../../emails/mailer';
import { renderEmail } from '../../emails/registry';
import { startResendStandIn, type ResendStandIn } from '../support/resend-stand-in';

const FROM = 'Client Portal <portal@practice.example.test>';

let standIn: ResendStandIn;

beforeEach(async () => {
  standIn = await startResendStandIn();
});

afterEach(async () => {
  await standIn.stop();
});

function unique(): string {
  return randomBytes(6).toString('hex');
}

function apiKey(): string {
  return `re_test_${unique()}`;
}

/** A portal invitation rendered for a unique client, keyed like the workflow keys it: onboarding id plus step. */
async function invitationEmail(): Promise<OutgoingEmail> {
  const onboardingId = randomUUID();
  const rendered = await renderEmail('portal-invitation', {
    practiceName: `Willow Creek Counseling ${unique()}`,
    recipientName: 'Jordan',
    registerUrl: `https://portal.example.test/portal/register/tok_${unique()}`,
    expiresAt: '2026-12-01T17:00:00.000Z',
  });
  return {
    to: `client-${unique()}@example.test`,
    ...rendered,
    idempotencyKey: `invitation:${onboardingId}`,
    tags: { template: 'portal-invitation', onboarding: onboardingId },
  };
}

async function failureOf(promise: Promise<unknown>): Promise<EmailDeliveryError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EmailDeliveryError);
  return error as EmailDeliveryError;
}

function expectNoRecipientIn(error: EmailDeliveryError, recipient: string): void {
  expect(error.message.toLowerCase()).not.toContain(recipient.toLowerCase());
  expect(String(error.stack).toLowerCase()).not.toContain(recipient.toLowerCase());
}

describe('Resend mailer', () => {
  it('sends a rendered invitation through the real SDK with our API key, idempotency key and tags', async () => {
    const key = apiKey();
    const mailer = createResendMailer({ apiKey: key, from: FROM, baseUrl: standIn.url });
    const email = await invitationEmail();

    const sent = await mailer.send(email);

    expect(mailer.kind).toBe('resend');
    expect(standIn.requests).toHaveLength(1);
    const [request] = standIn.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/emails', status: 200 });
    expect(request!.headers).toMatchObject({
      authorization: `Bearer ${key}`,
      'idempotency-key': email.idempotencyKey,
      'content-type': 'application/json',
    });
    expect(request!.headers['user-agent']).toMatch(/^resend-node:/);
    expect(request!.body).toMatchObject({
      from: FROM,
      to: [email.to],
      subject: email.subject,
      html: email.html,
      text: email.text,
      tags: [
        { name: 'template', value: 'portal-invitation' },
        { name: 'onboarding', value: email.tags!.onboarding },
      ],
    });
    expect(sent.providerMessageId).toBe(request!.emailId);
  });

  it('rewrites tag names and values into the characters Resend accepts', async () => {
    const mailer = createResendMailer({ apiKey: apiKey(), from: FROM, baseUrl: standIn.url });
    const email = await invitationEmail();

    await mailer.send({ ...email, tags: { 'step name': 'invitation:2', dropped: '' } });

    expect(standIn.requests[0]!.body).toMatchObject({ tags: [{ name: 'step_name', value: 'invitation_2' }] });
  });

  it('delivers one email and returns the same id when the same idempotency key is sent twice', async () => {
    const mailer = createResendMailer({ apiKey: apiKey(), from: FROM, baseUrl: standIn.url });
    const email = await invitationEmail();

    const first = await mailer.send(email);
    const second = await mailer.send(email);

    expect(standIn.requests).toHaveLength(2);
    expect(standIn.deliveries()).toHaveLength(1);
    expect(second.providerMessageId).toBe(first.providerMessageId);
  });

  it('reports a 500 as a retryable failure, and the retry with the same key delivers once', async () => {
    const mailer = createResendMailer({ apiKey: apiKey(), from: FROM, baseUrl: standIn.url });
    const email = await invitationEmail();
    standIn.failNext(500);

    const error = await failureOf(mailer.send(email));
    expect(error).toMatchObject({ retryable: true, statusCode: 500, providerCode: 'internal_server_error' });
    expectNoRecipientIn(error, email.to);

    await mailer.send(email);
    expect(standIn.deliveries()).toHaveLength(1);
  });

  it('reports a 429 as retryable', async () => {
    const mailer = createResendMailer({ apiKey: apiKey(), from: FROM, baseUrl: standIn.url });
    const email = await invitationEmail();
    standIn.failNext(429);

    const error = await failureOf(mailer.send(email));
    expect(error).toMatchObject({ retryable: true, statusCode: 429, providerCode: 'rate_limit_exceeded' });
    expectNoRecipientIn(error, email.to);
  });

  it('reports a 429 with Retry-After as retryable (the stand-in fault the chaos harness uses)', async () => {
    const mailer = createResendMailer({ apiKey: apiKey(), from: FROM, baseUrl: standIn.url });
    const email = await invitationEmail();
    standIn.faultNext({ kind: 'status', status: 429, retryAfterSeconds: 2 });

    const error = await failureOf(mailer.send(email));
    expect(error).toMatchObject({ retryable: true, statusCode: 429 });
    await mailer.send(email);
    expect(standIn.deliveries()).toHaveLength(1);
  });

  it('an email accepted but whose answer was lost is retried under its key and delivered once', async () => {
    const mailer = createResendMailer({ apiKey: apiKey(), from: FROM, baseUrl: standIn.url });
    const email = await invitationEmail();
    standIn.faultNext({ kind: 'drop-after-accept' });

    const error = await failureOf(mailer.send(email));
    expect(error.retryable).toBe(true);
    expect(standIn.deliveries()).toHaveLength(1);
    const retried = await mailer.send(email);
    expect(standIn.deliveries()).toHaveLength(1);
    expect(retried.providerMessageId).toBe(standIn.deliveries()[0]!.emailId);
  });

  it('a provider that never answers leaves nothing delivered', async () => {
    const mailer = createResendMailer({ apiKey: apiKey(), from: FROM, baseUrl: standIn.url });
    const email = await invitationEmail();
    standIn.faultNext({ kind: 'timeout', holdMs: 300 });

    const error = await failureOf(mailer.send(email));
    expect(error.retryable).toBe(true);
    expect(standIn.requests.map((request) => request.status)).toEqual([0]);
    expect(standIn.deliveries()).toHaveLength(0);
  });

  it('reports a 422 as not retryable, with the address Resend quoted taken out of the message', async () => {
    const mailer = createResendMailer({ apiKey: apiKey(), from: FROM, baseUrl: standIn.url });
    const email = await invitationEmail();
    standIn.failNext(422);

    const error = await failureOf(mailer.send(email));
    expect(error).toMatchObject({ retryable: false, statusCode: 422, providerCode: 'validation_error' });
    expect(error.message).toContain('[recipient]');
    expectNoRecipientIn(error, email.to);
    expect(standIn.deliveries()).toHaveLength(0);
  });

  it('reports a refused API key as retryable, so the email goes out once the configuration is fixed', async () => {
    const mailer = createResendMailer({ apiKey: apiKey(), from: FROM, baseUrl: standIn.url });
    const email = await invitationEmail();
    standIn.failNext(401);

    const error = await failureOf(mailer.send(email));
    expect(error).toMatchObject({ retryable: true, statusCode: 401, providerCode: 'missing_api_key' });
    expectNoRecipientIn(error, email.to);
  });

  it('reports an unreachable Resend as retryable', async () => {
    const gone = await startResendStandIn();
    await gone.stop();
    const mailer = createResendMailer({ apiKey: apiKey(), from: FROM, baseUrl: gone.url });
    const email = await invitationEmail();

    const error = await failureOf(mailer.send(email));
    expect(error).toMatchObject({ retryable: true, statusCode: null });
    expectNoRecipientIn(error, email.to);
  });

  it('refuses an idempotency key longer than Resend accepts without calling Resend', async () => {
    const mailer = createResendMailer({ apiKey: apiKey(), from: FROM, baseUrl: standIn.url });
    const email = await invitationEmail();

    const error = await failureOf(mailer.send({ ...email, idempotencyKey: 'k'.repeat(257) }));
    expect(error.retryable).toBe(false);
    expect(standIn.requests).toHaveLength(0);
  });

  it('is what createMailer builds for EMAIL_TRANSPORT=resend, at the configured base URL', async () => {
    const key = apiKey();
    const mailer = createMailer({
      transport: 'resend',
      from: FROM,
      resendApiKey: key,
      resendBaseUrl: `${standIn.url}/`,
      outboxDir: '/nonexistent',
    });
    await mailer.send(await invitationEmail());

    expect(mailer.kind).toBe('resend');
    expect(standIn.deliveries()).toHaveLength(1);
    expect(standIn.deliveries()[0]!.headers.authorization).toBe(`Bearer ${key}`);
  });

  it('cannot be built for EMAIL_TRANSPORT=resend without an API key', () => {
    expect(() => createMailer({ transport: 'resend', from: FROM, outboxDir: '/nonexistent' })).toThrow(
      'RESEND_API_KEY is required',
    );
  });
});

describe('Resend stand-in', () => {
  it('answers 401 to a request without a bearer token, as Resend does', async () => {
    const response = await fetch(`${standIn.url}/emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: FROM, to: [`client-${unique()}@example.test`], subject: 'Hello', text: 'Hi' }),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ statusCode: 401, name: 'missing_api_key' });
    expect(standIn.deliveries()).toHaveLength(0);
  });

  it('answers 409 when an idempotency key comes back with a different body', async () => {
    const mailer = createResendMailer({ apiKey: apiKey(), from: FROM, baseUrl: standIn.url });
    const email = await invitationEmail();
    await mailer.send(email);

    const error = await failureOf(mailer.send({ ...email, subject: `${email.subject} (edited)` }));
    expect(error).toMatchObject({ retryable: false, statusCode: 409, providerCode: 'invalid_idempotent_request' });
    expect(standIn.deliveries()).toHaveLength(1);
  });
});
