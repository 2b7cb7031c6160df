/**
 * The staff second factor over HTTP (issue 14, item 12): enrolment on the
 * Security page, sign-in in two steps, a code accepted once, wrong codes in
 * the same pause as wrong passwords, recovery codes each good once, the
 * practice's requirement forcing enrolment, and a half-signed-in browser
 * reaching nothing. Codes are made with otpauth from the secret the page shows.
 */
import { Secret, TOTP } from 'otpauth';
import { createTestOrganization, testSecretBox, type TestOrganization } from '../support/factories';
import { startTestService, type TestService } from '../support/service';
import { setStaffPassword, StaffPages } from '../support/staff-login';

let service: TestService;
let org: TestOrganization;
let other: TestOrganization;

beforeAll(async () => {
  service = await startTestService();
  [org, other] = await Promise.all([
    createTestOrganization(service.database.db),
    createTestOrganization(service.database.db),
  ]);
});

// Every test signs in several times from 127.0.0.1; the per-address door limit (20 in 5 minutes) is not what is tested here.
beforeEach(async () => {
  await service.database.db.$executeRaw`DELETE FROM rate_limit_bucket`;
});

afterAll(async () => {
  await service?.stop();
});

/** The code an authenticator app shows `offsetSteps` 30-second steps from now. */
function codeFor(secret: string, offsetSteps = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

async function newStaff(role: 'ADMIN' | 'THERAPIST' | 'OPS', organizationId = org.organizationId) {
  const { db } = service.database;
  const staff = await db.staffUser.create({
    data: {
      organizationId,
      email: `mfa-${Date.now()}-${Math.random().toString(36).slice(2)}@practice.test`,
      displayName: `Second Factor ${role.toLowerCase()}`,
      role,
    },
  });
  return { id: staff.id, email: await setStaffPassword(db, staff.id) };
}

/** Signs in with the password alone and turns the second factor on from the Security page. */
async function enrol(email: string, slug = org.slug): Promise<{ secret: string; codes: string[] }> {
  const pages = new StaffPages(service.api.url);
  expect((await pages.signIn(slug, email)).headers.get('location')).toBe(`/staff/${slug}`);
  const started = await pages.post(`/staff/${slug}/security/start`, {}, `/staff/${slug}/security`);
  expect(started.response.headers.get('location')).toBe(`/staff/${slug}/security/enrol`);
  const { html } = await pages.get(`/staff/${slug}/security/enrol`);
  expect(html).toContain('<svg role="img" aria-label="QR code for your authenticator app"');
  const secret = /data-testid="totp-secret"[^>]*>([A-Z2-7]+)</.exec(html)![1]!;
  const confirmed = await pages.post(
    `/staff/${slug}/security/enrol`,
    { code: codeFor(secret) },
    `/staff/${slug}/security/enrol`,
  );
  expect(confirmed.response.status).toBe(200);
  const codes = [...confirmed.html.matchAll(/<li>([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3})<\/li>/g)].map((match) => match[1]!);
  return { secret, codes };
}

/** Password then the code step; the status of the code step's answer. */
async function signInWithCode(email: string, code: string, pages = new StaffPages(service.api.url)) {
  const first = await pages.signIn(org.slug, email);
  expect(first.headers.get('location')).toBe(`/staff/${org.slug}/login/code`);
  const second = await pages.post(`/staff/${org.slug}/login/code`, { code });
  return { pages, second };
}

const auditOf = (staffUserId: string, action: string) =>
  service.database.db.auditEvent.findMany({
    where: { actorId: staffUserId, action },
    orderBy: { occurredAt: 'asc' },
    select: { outcome: true, detail: true },
  });

test('enrolment shows the secret as an inline QR code and as text, activates on a first code, and seals the secret', async () => {
  const staff = await newStaff('THERAPIST');
  const { secret, codes } = await enrol(staff.email);
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  expect(codes).toHaveLength(10);
  expect(new Set(codes).size).toBe(10);
  const { db } = service.database;
  const row = await db.staffSecondFactor.findUniqueOrThrow({ where: { staffUserId: staff.id } });
  expect(row.secret.startsWith('enc:v1:')).toBe(true);
  expect(row.secret).not.toContain(secret);
  expect(testSecretBox.open(row.secret)).toBe(secret);
  expect(row.confirmedAt).not.toBeNull();
  const stored = await db.staffRecoveryCode.findMany({ where: { staffUserId: staff.id } });
  expect(stored).toHaveLength(10);
  expect(stored.map((code) => code.codeHash).join()).not.toContain(codes[0]!.replace(/-/g, ''));
  expect(await auditOf(staff.id, 'staff.second_factor_enrolled')).toEqual([{ outcome: 'success', detail: {} }]);
});

test('a wrong first code leaves the factor off and keeps what was typed', async () => {
  const staff = await newStaff('THERAPIST');
  const pages = new StaffPages(service.api.url);
  await pages.signIn(org.slug, staff.email);
  await pages.post(`/staff/${org.slug}/security/start`, {}, `/staff/${org.slug}/security`);
  const wrong = await pages.post(
    `/staff/${org.slug}/security/enrol`,
    { code: '000000' },
    `/staff/${org.slug}/security/enrol`,
  );
  expect(wrong.response.status).toBe(422);
  expect(wrong.html).toContain('value="000000"');
  expect(wrong.html).toContain('That code is not right');
  const row = await service.database.db.staffSecondFactor.findUniqueOrThrow({ where: { staffUserId: staff.id } });
  expect(row.confirmedAt).toBeNull();
  // Still signs in with the password alone: an unconfirmed factor does not count.
  expect((await new StaffPages(service.api.url).signIn(org.slug, staff.email)).headers.get('location')).toBe(
    `/staff/${org.slug}`,
  );
});

test('sign-in takes the password, then a code; the same code is refused a second time', async () => {
  const staff = await newStaff('THERAPIST');
  const { secret } = await enrol(staff.email);
  const code = codeFor(secret, 1);
  const { pages, second } = await signInWithCode(staff.email, code);
  expect(second.response.status).toBe(303);
  expect(second.response.headers.get('location')).toBe(`/staff/${org.slug}`);
  expect((await pages.get(`/staff/${org.slug}`)).response.status).toBe(200);

  const replay = await signInWithCode(staff.email, code);
  expect(replay.second.response.status).toBe(401);
  expect(replay.second.html).toContain('already used');
  expect((await replay.pages.get(`/staff/${org.slug}`)).response.status).toBe(303);
  const verifies = await auditOf(staff.id, 'staff.second_factor_verify');
  expect(verifies.map((entry) => [entry.outcome, (entry.detail as { reason?: string }).reason ?? null])).toEqual([
    ['success', null],
    ['refused', 'replayed'],
  ]);
});

test('the half-signed-in state opens nothing: no page, no session, and a forged or stale step is refused', async () => {
  const staff = await newStaff('ADMIN');
  await enrol(staff.email);
  const pages = new StaffPages(service.api.url);
  const first = await pages.signIn(org.slug, staff.email);
  const cookies = first.headers.getSetCookie().join('\n');
  expect(cookies).toContain('staff_pending=');
  expect(cookies).not.toMatch(/staff_session=[A-Za-z0-9_-]{43}/);
  for (const path of ['', '/security', '/security/team']) {
    const { response } = await pages.get(`/staff/${org.slug}${path}`);
    expect({ path, status: response.status, location: response.headers.get('location') }).toEqual({
      path,
      status: 303,
      location: `/staff/${org.slug}/login`,
    });
  }
  expect((await service.get('/v1/practice/settings', { cookie: cookies.split(';')[0]! })).status).toBe(401);
  const pending = /staff_pending=([^;]+)/.exec(cookies)![1]!;
  // The pending token is not a session, whichever cookie it is put in.
  const asSession = await fetch(`${service.api.url}/staff/${org.slug}`, {
    headers: { cookie: `staff_session=${pending}` },
    redirect: 'manual',
  });
  expect(asSession.status).toBe(303);
  // Altered (another staff member's id), or owing another step: sign in again.
  const [payload, signature] = pending.split('.');
  const altered = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), staffUserId: org.adminId }),
  ).toString('base64url');
  const forged = await fetch(`${service.api.url}/staff/${org.slug}/login/code`, {
    headers: { cookie: `staff_pending=${altered}.${signature}` },
  });
  expect(forged.status).toBe(401);
  expect(await forged.text()).toContain('Sign in again');
  expect((await pages.get(`/staff/${org.slug}/login/enrol`)).response.status).toBe(401);
  // Another practice's sign-in page does not take it either.
  const elsewhere = await fetch(`${service.api.url}/staff/${other.slug}/login/code`, {
    headers: { cookie: `staff_pending=${pending}` },
  });
  expect(elsewhere.status).toBe(401);
});

test('a right password then four wrong codes pause the account like five wrong passwords; the right code waits', async () => {
  const staff = await newStaff('THERAPIST');
  const { secret } = await enrol(staff.email);
  const pages = new StaffPages(service.api.url);
  expect((await pages.signIn(org.slug, staff.email)).status).toBe(303);
  const statuses: number[] = [];
  for (let wrong = 1; wrong <= 4; wrong += 1) {
    statuses.push((await pages.post(`/staff/${org.slug}/login/code`, { code: '123456' })).response.status);
  }
  expect(statuses).toEqual([401, 401, 401, 401]);
  const { db } = service.database;
  const paused = await db.staffUser.findUniqueOrThrow({ where: { id: staff.id } });
  expect(paused.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 20_000);
  const right = codeFor(secret, 1);
  expect((await pages.post(`/staff/${org.slug}/login/code`, { code: right })).response.status).toBe(401);
  const reasons = (await auditOf(staff.id, 'staff.second_factor_verify')).map(
    (entry) => (entry.detail as { reason?: string }).reason,
  );
  expect(reasons).toEqual(['wrong-code', 'wrong-code', 'wrong-code', 'wrong-code-paused', 'locked']);
  await db.staffUser.update({ where: { id: staff.id }, data: { lockedUntil: new Date(0) } });
  const after = await pages.post(`/staff/${org.slug}/login/code`, { code: right });
  expect(after.response.headers.get('location')).toBe(`/staff/${org.slug}`);
  const cleared = await db.staffUser.findUniqueOrThrow({ where: { id: staff.id } });
  expect([cleared.failedLogins, cleared.lockedUntil]).toEqual([0, null]);
});

test('a recovery code signs in once, says how many are left, and is audited', async () => {
  const staff = await newStaff('THERAPIST');
  const { codes } = await enrol(staff.email);
  const typed = codes[3]!.toLowerCase().replace(/-/g, ' ');
  const { pages, second } = await signInWithCode(staff.email, typed);
  expect(second.response.status).toBe(200);
  expect(second.html).toContain('You have 9 recovery');
  expect((await pages.get(`/staff/${org.slug}`)).response.status).toBe(200);
  expect(await auditOf(staff.id, 'staff.recovery_code_used')).toEqual([
    { outcome: 'success', detail: { purpose: 'sign-in', remaining: 9 } },
  ]);
  const again = await signInWithCode(staff.email, codes[3]!);
  expect(again.second.response.status).toBe(401);
  expect((await again.pages.get(`/staff/${org.slug}`)).response.status).toBe(303);
  const security = await pages.get(`/staff/${org.slug}/security`);
  expect(security.html).toContain('9 unused recovery');
});

test('new recovery codes and turning the factor off each take a code', async () => {
  const staff = await newStaff('THERAPIST');
  const { secret, codes } = await enrol(staff.email);
  const { pages } = await signInWithCode(staff.email, codeFor(secret, 1));
  const security = `/staff/${org.slug}/security`;
  const refused = await pages.post(`${security}/recovery-codes`, { code: '999999' }, security);
  expect(refused.response.status).toBe(401);
  expect(refused.html).toContain('value="999999"');
  const renewed = await pages.post(`${security}/recovery-codes`, { code: codes[0]! }, security);
  expect(renewed.response.status).toBe(200);
  const fresh = [...renewed.html.matchAll(/<li>([A-Z2-7-]{19})<\/li>/g)].map((match) => match[1]!);
  expect(fresh).toHaveLength(10);
  expect(fresh).not.toContain(codes[1]);
  expect((await pages.post(`${security}/turn-off`, { code: codes[1]! }, security)).response.status).toBe(401);
  expect(await service.database.db.staffSecondFactor.count({ where: { staffUserId: staff.id } })).toBe(1);
  const off = await pages.post(`${security}/turn-off`, { code: fresh[0]! }, security);
  expect(off.response.headers.get('location')).toBe(`${security}?done=off`);
  expect(await service.database.db.staffSecondFactor.count({ where: { staffUserId: staff.id } })).toBe(0);
  expect(await auditOf(staff.id, 'staff.second_factor_turned_off')).toHaveLength(1);
  expect(await auditOf(staff.id, 'staff.recovery_codes_regenerated')).toHaveLength(1);
});

test('when the practice requires it, admins and therapists without one must enrol after the password; ops need not', async () => {
  const practice = await createTestOrganization(service.database.db);
  const { db } = service.database;
  await db.organization.update({ where: { id: practice.organizationId }, data: { requireSecondFactor: true } });
  const therapist = await newStaff('THERAPIST', practice.organizationId);
  const pages = new StaffPages(service.api.url);
  const first = await pages.signIn(practice.slug, therapist.email);
  expect(first.headers.get('location')).toBe(`/staff/${practice.slug}/login/enrol`);
  expect((await pages.get(`/staff/${practice.slug}`)).response.status).toBe(303);
  const { html } = await pages.get(`/staff/${practice.slug}/login/enrol`);
  const secret = /data-testid="totp-secret"[^>]*>([A-Z2-7]+)</.exec(html)![1]!;
  const wrong = await pages.post(`/staff/${practice.slug}/login/enrol`, { code: '000000' });
  expect(wrong.response.status).toBe(422);
  expect((await pages.get(`/staff/${practice.slug}`)).response.status).toBe(303);
  const done = await pages.post(`/staff/${practice.slug}/login/enrol`, { code: codeFor(secret) });
  expect(done.response.status).toBe(200);
  expect(done.html).toContain('data-testid="recovery-codes"');
  expect((await pages.get(`/staff/${practice.slug}`)).response.status).toBe(200);
  // Required: it cannot be turned off.
  const security = await pages.get(`/staff/${practice.slug}/security`);
  expect(security.html).toContain('so it stays on');
  // The next sign-in asks for a code.
  expect((await new StaffPages(service.api.url).signIn(practice.slug, therapist.email)).headers.get('location')).toBe(
    `/staff/${practice.slug}/login/code`,
  );

  const ops = await newStaff('OPS', practice.organizationId);
  expect((await new StaffPages(service.api.url).signIn(practice.slug, ops.email)).headers.get('location')).toBe(
    `/staff/${practice.slug}`,
  );
});

test('an admin resets a colleague’s second factor: audited, their sessions end; others may not', async () => {
  const admin = await newStaff('ADMIN');
  const colleague = await newStaff('THERAPIST');
  const adminFactor = await enrol(admin.email);
  const colleagueFactor = await enrol(colleague.email);
  const colleaguePages = (await signInWithCode(colleague.email, codeFor(colleagueFactor.secret, 1))).pages;
  expect((await colleaguePages.get(`/staff/${org.slug}`)).response.status).toBe(200);

  // A therapist cannot reset anyone.
  const team = `/staff/${org.slug}/security/team`;
  const byTherapist = await colleaguePages.post(`${team}/${admin.id}/reset`, {}, `/staff/${org.slug}/security`);
  expect(byTherapist.response.status).toBe(403);
  expect(await service.database.db.staffSecondFactor.count({ where: { staffUserId: admin.id } })).toBe(1);

  const adminPages = (await signInWithCode(admin.email, codeFor(adminFactor.secret, 1))).pages;
  const list = await adminPages.get(team);
  expect(list.html).toContain(`Reset ${'Second Factor therapist'}’s second factor`);
  const confirm = await adminPages.get(`${team}/${colleague.id}/reset`);
  expect(confirm.html).toContain('Reset Second Factor therapist’s second factor?');
  expect(await service.database.db.staffSecondFactor.count({ where: { staffUserId: colleague.id } })).toBe(1);
  const reset = await adminPages.post(`${team}/${colleague.id}/reset`, {}, `${team}/${colleague.id}/reset`);
  expect(reset.response.headers.get('location')).toBe(`${team}?reset=${colleague.id}`);
  expect(await service.database.db.staffSecondFactor.count({ where: { staffUserId: colleague.id } })).toBe(0);
  expect(await service.database.db.staffRecoveryCode.count({ where: { staffUserId: colleague.id } })).toBe(0);
  expect((await colleaguePages.get(`/staff/${org.slug}`)).response.status).toBe(303);
  const audit = await auditOf(admin.id, 'staff.second_factor_reset');
  expect(audit).toEqual([
    { outcome: 'success', detail: { staffUserId: colleague.id, hadFactor: true, sessionsEnded: 2 } },
  ]);
  // Both of the colleague's sessions (set-up and sign-in) ended. Another practice's staff member is not found from here.
  const stranger = await newStaff('THERAPIST', other.organizationId);
  expect((await adminPages.get(`${team}/${stranger.id}/reset`)).response.status).toBe(404);
  expect((await adminPages.post(`${team}/${stranger.id}/reset`, {}, team)).response.status).toBe(404);
});
