/**
 * The staff dashboard over HTTP: signing in, who sees what (another practice
 * nothing, a therapist their own clients, ops no names), filters, search and
 * paging from the projection, the funnel's figures, and an action going
 * through its confirmation step to the workflow.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { Db } from '../../db/client';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { emailsSent } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';
import { setStaffPassword, StaffPages } from '../support/staff-login';

let service: TestService;
let org: TestOrganization;
let other: TestOrganization;
let emails: { admin: string; therapist: string; ops: string };

beforeAll(async () => {
  service = await startTestService();
  await service.startWorker();
  [org, other] = await Promise.all([
    createTestOrganization(service.database.db),
    createTestOrganization(service.database.db),
  ]);
  const { db } = service.database;
  const ops = await db.staffUser.create({
    data: {
      organizationId: org.organizationId,
      email: `ops-${randomUUID().slice(0, 6)}@practice.test`,
      displayName: 'Ops',
      role: 'OPS',
    },
  });
  emails = {
    admin: await setStaffPassword(db, org.adminId),
    therapist: await setStaffPassword(db, org.therapistId),
    ops: await setStaffPassword(db, ops.id),
  };
});

afterAll(async () => {
  await service?.stop();
});

let adminSession: Promise<StaffPages> | undefined;
/** One admin session shared by the read-only list tests: sign-ins from one address are rate-limited. */
function sharedAdmin(): Promise<StaffPages> {
  adminSession ??= signedIn(emails.admin);
  return adminSession;
}

async function signedIn(email: string, slug = org.slug): Promise<StaffPages> {
  const pages = new StaffPages(service.api.url);
  const response = await pages.signIn(slug, email);
  expect(response.status).toBe(303);
  return pages;
}

/** Onboarding rows as the projection holds them, without workflows: enough to list, filter and count. */
async function projectedOnboardings(
  db: Db,
  organizationId: string,
  rows: { lastName: string; status?: 'INVITED' | 'EXPIRED' | 'COMPLETE'; assignedStaffId?: string; createdAt?: Date }[],
) {
  const ids: string[] = [];
  for (const row of rows) {
    const id = randomUUID();
    const chart = `DASH-${id.slice(0, 8)}`;
    const client = await db.client.create({
      data: {
        organizationId,
        externalChartId: chart,
        firstName: 'Test',
        lastName: row.lastName,
        dateOfBirth: new Date('1990-01-01'),
      },
    });
    await db.onboarding.create({
      data: {
        id,
        organizationId,
        externalChartId: chart,
        workflowId: `onboarding-${id}`,
        clientId: client.id,
        inviteRequested: true,
        status: row.status ?? 'INVITED',
        assignedStaffId: row.assignedStaffId ?? null,
        ...(row.createdAt ? { createdAt: row.createdAt } : {}),
      },
    });
    ids.push(id);
  }
  return ids;
}

describe('signing in', () => {
  it('sends strangers to the sign-in page and refuses wrong passwords alike', async () => {
    const anonymous = new StaffPages(service.api.url);
    const { response } = await anonymous.get(`/staff/${org.slug}`);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/staff/${org.slug}/login`);

    const wrong = await anonymous.post(`/staff/${org.slug}/login`, {
      email: emails.admin,
      password: 'not the password at all',
    });
    const unknown = await anonymous.signIn(org.slug, 'nobody@practice.test');
    expect(wrong.response.status).toBe(401);
    // Only the password needs typing again.
    expect(wrong.html).toContain(`value="${emails.admin}"`);
    expect(wrong.html).not.toContain('value="not the password at all"');
    expect(unknown.status).toBe(401);
    // The admin of one practice cannot sign in to another's dashboard.
    expect((await anonymous.signIn(other.slug, emails.admin)).status).toBe(401);

    const admin = await signedIn(emails.admin);
    const home = await admin.get(`/staff/${org.slug}`);
    expect(home.response.status).toBe(200);
    expect(home.html).toContain('Client onboardings');
    // Their session is no key to another practice's pages.
    expect((await admin.get(`/staff/${other.slug}`)).response.status).toBe(303);
  });

  it('takes a password set with `npm run staff:password`, and ends the old sessions', async () => {
    const before = await signedIn(emails.admin);
    const password = 'saffron lighthouse pebble ninety';
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/staff-password.ts', org.slug, emails.admin], {
      env: { PATH: process.env.PATH, DATABASE_URL: service.database.url },
    });
    child.stdin.end(`${password}\n`);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(output).toContain('password set');
    expect((await before.get(`/staff/${org.slug}`)).response.status).toBe(303);
    expect((await new StaffPages(service.api.url).signIn(org.slug, emails.admin, password)).status).toBe(303);
    await setStaffPassword(service.database.db, org.adminId);
  });

  it('refuses a form posted without its CSRF field', async () => {
    const admin = await signedIn(emails.admin);
    const [id] = await projectedOnboardings(service.database.db, org.organizationId, [{ lastName: 'Csrf' }]);
    const response = await admin.postRaw(`/staff/${org.slug}/onboardings/${id}/cancel`, { confirm: 'yes' });
    expect(response.status).toBe(403);
    expect((await admin.get(`/staff/${org.slug}/onboardings/${id}`)).html).toContain('Invited');
  });
});

describe('the list', () => {
  it('filters, searches and pages, and shows each role what it may see', async () => {
    const db = service.database.db;
    const suffix = randomUUID().slice(0, 6);
    await projectedOnboardings(db, org.organizationId, [
      { lastName: `Hopper${suffix}`, status: 'EXPIRED', assignedStaffId: org.therapistId },
      { lastName: `Lovelace${suffix}`, status: 'COMPLETE' },
      ...Array.from({ length: 55 }, (_, n) => ({ lastName: `Bulk${suffix}${n}` })),
    ]);
    await projectedOnboardings(db, other.organizationId, [{ lastName: `Elsewhere${suffix}` }]);
    const admin = await signedIn(emails.admin);

    const expired = (await admin.get(`/staff/${org.slug}?status=EXPIRED`)).html;
    expect(expired).toContain(`Test Hopper${suffix}`);
    expect(expired).not.toContain(`Lovelace${suffix}`);
    expect(expired).toContain('status-expired');

    const search = (await admin.get(`/staff/${org.slug}?q=lovelace${suffix.toLowerCase()}`)).html;
    expect(search).toContain(`Test Lovelace${suffix}`);
    expect(search).toMatch(/1 onboarding</);
    expect((await admin.get(`/staff/${org.slug}?q=Elsewhere${suffix}`)).html).toMatch(/0 onboardings/);

    const bulk = (await admin.get(`/staff/${org.slug}?q=Bulk${suffix}`)).html;
    expect(bulk).toMatch(/55 onboardings/);
    expect(bulk).toContain('Page 1 of 2');
    expect((await admin.get(`/staff/${org.slug}?q=Bulk${suffix}&page=2`)).html.match(/<tr>/g)).toHaveLength(5 + 1);

    expect((await admin.get(`/staff/${org.slug}?status=NOPE`)).response.status).toBe(400);
    expect((await admin.get(`/staff/${org.slug}?page=-1`)).response.status).toBe(400);

    // A therapist sees the clients assigned to them; ops see chart ids, no names.
    const therapist = await signedIn(emails.therapist);
    const theirs = (await therapist.get(`/staff/${org.slug}?q=${suffix}`)).html;
    expect((await therapist.get(`/staff/${org.slug}`)).html).toContain(`Test Hopper${suffix}`);
    expect(theirs).not.toContain(`Lovelace${suffix}`);
    const ops = await signedIn(emails.ops);
    const opsList = (await ops.get(`/staff/${org.slug}?status=EXPIRED`)).html;
    expect(opsList).not.toContain(`Hopper${suffix}`);
    expect(opsList).toContain('DASH-');

    // Reading names is recorded.
    const listed = await db.auditEvent.count({
      where: { organizationId: org.organizationId, action: 'onboarding.list' },
    });
    expect(listed).toBeGreaterThan(0);
  });

  it('counts the funnel of the chosen period from the timeline', async () => {
    const db = service.database.db;
    const fresh = await createTestOrganization(db);
    const email = await setStaffPassword(db, fresh.adminId);
    const day = new Date('2026-03-10T09:00:00Z');
    const hour = 60 * 60 * 1000;
    const [registeredIn2h, registeredIn4h, expired, outside] = await projectedOnboardings(db, fresh.organizationId, [
      { lastName: 'A', createdAt: day },
      { lastName: 'B', createdAt: day },
      { lastName: 'C', createdAt: day, status: 'EXPIRED' },
      { lastName: 'D', createdAt: new Date('2026-05-01T09:00:00Z') },
    ]);
    const event = (onboardingId: string, type: string, at: number) =>
      db.onboardingEvent.create({
        data: { onboardingId, key: `${type}:${at}`, type, occurredAt: new Date(day.getTime() + at) },
      });
    for (const id of [registeredIn2h!, registeredIn4h!, expired!, outside!]) await event(id, 'invitation.sent', 0);
    await event(registeredIn2h!, 'portal.registered', 2 * hour);
    await event(registeredIn4h!, 'portal.registered', 4 * hour);
    await event(registeredIn2h!, 'forms.completed', 10 * hour);
    await event(expired!, 'invitation.expired', 168 * hour);

    const admin = await signedIn(email, fresh.slug);
    const { html } = await admin.get(`/staff/${fresh.slug}?from=2026-03-01&to=2026-03-31`);
    const figure = (label: string) => new RegExp(`<strong>([^<]+)</strong\\s*><span>${label}`).exec(html)?.[1];
    expect(figure('invited')).toBe('3');
    expect(figure('registered')).toBe('2');
    expect(figure('forms complete')).toBe('1');
    expect(figure('expired')).toBe('1');
    expect(figure('median time to register')).toBe('3 hours');
    expect(figure('median time to complete')).toBe('10 hours');
    // Every percentage names its base, the same one: those invited.
    expect(html).toContain('registered (67% of invited)');
    expect(html).toContain('forms complete (33% of invited)');
    expect(html).toContain('expired (33% of invited)');
  });

  it('shows short medians in minutes, not "0"', async () => {
    const db = service.database.db;
    const fresh = await createTestOrganization(db);
    const email = await setStaffPassword(db, fresh.adminId);
    const day = new Date('2026-03-10T09:00:00Z');
    const [quick] = await projectedOnboardings(db, fresh.organizationId, [{ lastName: 'Quick', createdAt: day }]);
    for (const [type, minutes] of [
      ['invitation.sent', 0],
      ['portal.registered', 20],
    ] as const) {
      await db.onboardingEvent.create({
        data: { onboardingId: quick!, key: type, type, occurredAt: new Date(day.getTime() + minutes * 60_000) },
      });
    }
    const admin = await signedIn(email, fresh.slug);
    const { html } = await admin.get(`/staff/${fresh.slug}?from=2026-03-01&to=2026-03-31`);
    expect(/<strong>([^<]+)<\/strong\s*><span>median time to register/.exec(html)?.[1]).toBe('20 min');
  });

  it('finds clients by first, last or full name in any case, and by part of the chart id', async () => {
    const db = service.database.db;
    const suffix = randomUUID().slice(0, 6);
    const [id] = await projectedOnboardings(db, org.organizationId, [{ lastName: `Hopper${suffix}` }]);
    await db.client.updateMany({ where: { lastName: `Hopper${suffix}` }, data: { firstName: `Grace${suffix}` } });
    const chart = (await db.onboarding.findUniqueOrThrow({ where: { id: id! } })).externalChartId;
    const admin = await signedIn(emails.admin);
    const found = async (pages: StaffPages, q: string) =>
      (await pages.get(`/staff/${org.slug}?q=${encodeURIComponent(q)}`)).html.includes(chart);
    for (const q of [
      `grace${suffix}`,
      `Hopper${suffix}`,
      `Grace${suffix} Hopper${suffix}`,
      `hopper${suffix} grace${suffix}`,
      `Hopper${suffix}, Grace${suffix}`,
      chart.toLowerCase(),
      chart.slice(3, 10),
    ]) {
      expect([q, await found(admin, q)]).toEqual([q, true]);
    }
    expect(await found(admin, `Grace${suffix} Lovelace`)).toBe(false);
    // Ops find charts by part of the id, never by name.
    const ops = await signedIn(emails.ops);
    expect(await found(ops, chart.slice(3, 10).toLowerCase())).toBe(true);
    expect(await found(ops, `Hopper${suffix}`)).toBe(false);
  });

  it('says what is wrong with bad filters, keeps them, and links to clear them', async () => {
    const admin = await sharedAdmin();
    const reversed = await admin.get(`/staff/${org.slug}?from=2026-03-31&to=2026-03-01&q=someone`);
    expect(reversed.response.status).toBe(400);
    expect(reversed.html).toContain('Created to: must be on or after');
    expect(reversed.html).toContain('value="2026-03-31"');
    expect(reversed.html).toContain('value="2026-03-01"');
    expect(reversed.html).toContain('value="someone"');
    expect(reversed.html).toContain(`<a href="/staff/${org.slug}">Clear the filters</a>`);
    expect(reversed.html).toContain('Sign out');

    const bad = await admin.get(`/staff/${org.slug}?status=NOPE`);
    expect(bad.response.status).toBe(400);
    expect(bad.html).toContain('Status:');
    expect(bad.html).toContain(`<a href="/staff/${org.slug}">Clear the filters</a>`);
  });

  it('sorts by the column header clicked, either way, keeping the filters', async () => {
    const db = service.database.db;
    const suffix = randomUUID().slice(0, 6);
    await projectedOnboardings(db, org.organizationId, [
      { lastName: `Sort${suffix}b`, status: 'COMPLETE' },
      { lastName: `Sort${suffix}c`, status: 'EXPIRED' },
      { lastName: `Sort${suffix}a`, status: 'INVITED' },
    ]);
    const admin = await sharedAdmin();
    const order = (html: string) =>
      [...html.matchAll(new RegExp(`Test Sort${suffix}([abc])`, 'g'))].map((m) => `Sort${m[1]}`);
    const headerOf = (html: string, label: string) =>
      new RegExp(`<th scope="col"[^>]*>\\s*<a class="sort" href="([^"]+)"\\s*>${label}<`).exec(html);

    const byName = (await admin.get(`/staff/${org.slug}?q=Sort${suffix}&sort=client&dir=asc`)).html;
    expect(order(byName)).toEqual(['Sorta', 'Sortb', 'Sortc']);
    expect(byName).toMatch(/<th scope="col" aria-sort="ascending">\s*<a class="sort" href="[^"]*"\s*>Client</);
    expect(byName.match(/aria-sort=/g)).toHaveLength(1);
    // Clicking the sorted column turns it round; the search stays.
    const reverse = headerOf(byName, 'Client')![1]!.replace(/&amp;/g, '&');
    expect(reverse).toContain(`q=Sort${suffix}`);
    expect(reverse).toContain('dir=desc');
    const reversed = (await admin.get(reverse)).html;
    expect(order(reversed)).toEqual(['Sortc', 'Sortb', 'Sorta']);
    expect(reversed).toContain('aria-sort="descending"');

    // Status in the order of the journey (Invited, Expired, ... Complete); the Apply form carries the sort.
    const byStatus = (await admin.get(`/staff/${org.slug}?q=Sort${suffix}&sort=status`)).html;
    expect(order(byStatus)).toEqual(['Sorta', 'Sortc', 'Sortb']);
    expect(byStatus).toContain('<input type="hidden" name="sort" value="status" />');
    expect(byStatus).toMatch(/<button type="submit">Apply<\/button>/);

    // A first click on a date column shows the newest first.
    expect(headerOf(byStatus, 'Created')![1]).toContain('dir=desc');
    const bad = await admin.get(`/staff/${org.slug}?sort=password&dir=sideways`);
    expect(bad.response.status).toBe(400);
    expect(bad.html).toContain('Sort:');
    expect(bad.html).toContain('Sort direction:');
  });

  it('shows the last page, and says so, for a page past the end', async () => {
    const db = service.database.db;
    const suffix = randomUUID().slice(0, 6);
    await projectedOnboardings(
      db,
      org.organizationId,
      Array.from({ length: 52 }, (_, n) => ({ lastName: `Past${suffix}${n}` })),
    );
    const admin = await signedIn(emails.admin);
    const { html } = await admin.get(`/staff/${org.slug}?q=Past${suffix}&page=999`);
    expect(html).toMatch(/52\s+onboardings/);
    expect(html).toContain('There is no page 999; showing page 2, the last.');
    expect(html).toContain('Page 2 of 2');
    expect(html).not.toContain('No onboardings match');
    expect(html.match(/<tr>/g)).toHaveLength(2 + 1);
  });
});

describe('a client page', () => {
  it('asks before acting, then resends through the workflow', async () => {
    const event = chartCreatedWebhook();
    const { onboardingId } = (await (
      await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event)
    ).json()) as TWebhookAccepted;
    await eventually(async () =>
      (await emailsSent(service.database.db, onboardingId)).length === 1 ? true : undefined,
    );
    const admin = await signedIn(emails.admin);
    const page = (await admin.get(`/staff/${org.slug}/onboardings/${onboardingId}`)).html;
    expect(page).toContain(`${event.data.client.firstName} ${event.data.client.lastName}`);
    expect(page).toContain('Invitation sent');
    expect(page).toContain('Resend invite');

    const confirm = await admin.get(`/staff/${org.slug}/onboardings/${onboardingId}/resend`);
    expect(confirm.html).toContain('The previous link stops working');
    // "No, go back" changes nothing; "Yes" resends.
    const back = await admin.post(`/staff/${org.slug}/onboardings/${onboardingId}/resend`, {});
    expect(back.response.headers.get('location')).toBe(`/staff/${org.slug}/onboardings/${onboardingId}`);
    expect(await emailsSent(service.database.db, onboardingId)).toEqual(['portal-invitation']);
    const done = await admin.post(`/staff/${org.slug}/onboardings/${onboardingId}/resend`, { confirm: 'yes' });
    expect(done.response.status).toBe(303);
    expect(done.response.headers.get('location')).toContain('?done=resend');
    expect(await emailsSent(service.database.db, onboardingId)).toEqual(['portal-invitation', 'invitation-resent']);
    expect((await admin.get(`/staff/${org.slug}/onboardings/${onboardingId}?done=resend`)).html).toMatch(
      /Invitation 2 — sent [A-Z][a-z]{2} \d+, expires /,
    );

    // A refused action comes back with the workflow's reason.
    await admin.post(`/staff/${org.slug}/onboardings/${onboardingId}/revoke`, { confirm: 'yes' });
    const again = await admin.post(`/staff/${org.slug}/onboardings/${onboardingId}/revoke`, { confirm: 'yes' });
    expect(again.response.status).toBe(409);
    expect(again.html).toContain('Portal access is already revoked.');
  });

  it('is not found for another practice, for another therapist’s client, and acts only for those allowed', async () => {
    const db = service.database.db;
    const [mine] = await projectedOnboardings(db, org.organizationId, [{ lastName: 'Unassigned' }]);
    const [theirs] = await projectedOnboardings(db, other.organizationId, [{ lastName: 'Theirs' }]);
    const admin = await signedIn(emails.admin);
    expect((await admin.get(`/staff/${org.slug}/onboardings/${theirs}`)).response.status).toBe(404);
    expect((await admin.get(`/staff/${org.slug}/onboardings/not-a-uuid`)).response.status).toBe(404);
    const therapist = await signedIn(emails.therapist);
    expect((await therapist.get(`/staff/${org.slug}/onboardings/${mine}`)).response.status).toBe(404);
    const ops = await signedIn(emails.ops);
    const opsPage = await ops.get(`/staff/${org.slug}/onboardings/${mine}`);
    expect(opsPage.response.status).toBe(200);
    expect(opsPage.html).not.toContain('Unassigned');
    expect(opsPage.html).not.toContain('Resend invite');
    expect((await ops.get(`/staff/${org.slug}/onboardings/${mine}/resend`)).response.status).toBe(403);
  });
});
