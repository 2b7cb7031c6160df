/**
 * The sign-in lockout over HTTP, with its numbers written out (issue 14,
 * item 14): a test that loops up to the imported constant would pass if the
 * constant changed. Five wrong passwords in a row, and the right one is
 * refused until the pause ends (15 minutes for a client, 30 seconds at first
 * for staff); four, and the right one still works.
 */
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { CLIENT_PASSWORD, createPayingClient } from '../support/payments';
import { metricValue } from '../support/metrics';
import { startTestService, type TestService } from '../support/service';
import { setStaffPassword, STAFF_PASSWORD, StaffPages } from '../support/staff-login';

let service: TestService;
let org: TestOrganization;

beforeAll(async () => {
  service = await startTestService();
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await service?.stop();
});

/** The alarm on /metrics: staff pauses counted (someone may be guessing an admin's password). */
async function staffPauses(): Promise<number> {
  return metricValue(await (await service.get('/metrics')).text(), 'sign_in_paused_total', { door: 'staff' }) ?? 0;
}

interface Door {
  path: string;
  /** How long five wrong passwords pause the account: 15 minutes for clients, 30 seconds (then growing) for staff. */
  pauseMs: number;
  email: string;
  password: string;
  /** Ends the pause as if its 15 minutes had passed. */
  pauseEnds(): Promise<void>;
  /** When the account's pause ends, or null. */
  lockedUntil(): Promise<Date | null>;
}

async function portalDoor(): Promise<Door> {
  const { db } = service.database;
  const client = await createPayingClient(db, org);
  const where = { id: client.holder.portalAccountId };
  return {
    path: `/portal/${org.slug}/login`,
    pauseMs: 15 * 60 * 1000,
    email: client.email,
    password: CLIENT_PASSWORD,
    pauseEnds: async () => void (await db.portalAccount.update({ where, data: { lockedUntil: new Date(0) } })),
    lockedUntil: async () => (await db.portalAccount.findUniqueOrThrow({ where })).lockedUntil,
  };
}

async function staffDoor(): Promise<Door> {
  const { db } = service.database;
  const staff = await db.staffUser.create({
    data: {
      organizationId: org.organizationId,
      email: `lockout-${Date.now()}-${Math.random().toString(36).slice(2)}@practice.test`,
      displayName: 'Lockout Test',
      role: 'THERAPIST',
    },
  });
  const email = await setStaffPassword(db, staff.id);
  const where = { id: staff.id };
  return {
    path: `/staff/${org.slug}/login`,
    pauseMs: 30 * 1000,
    email,
    password: STAFF_PASSWORD,
    pauseEnds: async () => void (await db.staffUser.update({ where, data: { lockedUntil: new Date(0) } })),
    lockedUntil: async () => (await db.staffUser.findUniqueOrThrow({ where })).lockedUntil,
  };
}

async function signIn(door: Door, password: string): Promise<number> {
  // A fresh browser each time: a pause is on the account, not on a cookie.
  const browser = new StaffPages(service.api.url);
  return (await browser.post(door.path, { email: door.email, password })).response.status;
}

describe.each([
  ['portal', portalDoor],
  ['staff', staffDoor],
])('%s sign-in', (_name, open) => {
  it('after five wrong passwords in a row refuses the right one until the pause ends, then lets it in', async () => {
    const door = await open();
    const pausesBefore = await staffPauses();
    for (let attempt = 1; attempt <= 5; attempt += 1) expect(await signIn(door, 'wrong password here')).toBe(401);
    expect(await staffPauses()).toBe(pausesBefore + (door.path.startsWith('/staff/') ? 1 : 0));
    const before = Date.now();
    expect(await signIn(door, door.password)).toBe(401);
    const until = (await door.lockedUntil())!.getTime();
    expect(until - before).toBeGreaterThan(door.pauseMs - 5000);
    expect(until - before).toBeLessThanOrEqual(door.pauseMs + 1000);

    await door.pauseEnds();
    expect(await signIn(door, door.password)).toBe(303);
  });

  it('after four wrong passwords still lets the right one in, and starts counting afresh', async () => {
    const door = await open();
    for (let attempt = 1; attempt <= 4; attempt += 1) expect(await signIn(door, 'wrong password here')).toBe(401);
    expect(await signIn(door, door.password)).toBe(303);
    for (let attempt = 1; attempt <= 4; attempt += 1) expect(await signIn(door, 'wrong password here')).toBe(401);
    expect(await signIn(door, door.password)).toBe(303);
  });
});
