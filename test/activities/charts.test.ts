import { createActivities } from '../../activities';
import { testActivityDeps } from '../support/activity-deps';
import { createTestOrganization, chartCreatedWebhook, type TestOrganization } from '../support/factories';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let database: TestDatabase;
let org: TestOrganization;

beforeAll(async () => {
  database = await createTestDatabase();
  org = await createTestOrganization(database.db);
});

afterAll(async () => {
  await database.drop();
});

async function newOnboarding(externalChartId: string) {
  return database.db.onboarding.create({
    data: {
      organizationId: org.organizationId,
      externalChartId,
      workflowId: `onboarding-test-${externalChartId}`,
      inviteRequested: true,
    },
  });
}

describe('createChart', () => {
  it('creates the chart, links it to the onboarding and records the step', async () => {
    const { db } = database;
    const { data } = chartCreatedWebhook();
    const onboarding = await newOnboarding(data.externalChartId);

    const { clientId } = await createActivities(testActivityDeps(db)).createChart({
      onboardingId: onboarding.id,
      organizationId: org.organizationId,
      chart: { externalChartId: data.externalChartId, client: data.client },
    });

    const client = await db.client.findUniqueOrThrow({ where: { id: clientId } });
    expect(client).toMatchObject({
      firstName: data.client.firstName,
      lastName: data.client.lastName,
      email: data.client.email,
      externalChartId: data.externalChartId,
    });
    expect(client.dateOfBirth.toISOString().slice(0, 10)).toBe(data.client.dateOfBirth);
    const after = await db.onboarding.findUniqueOrThrow({ where: { id: onboarding.id }, include: { events: true } });
    expect(after.status).toBe('CHART_CREATED');
    expect(after.clientId).toBe(clientId);
    expect(after.chartCreatedAt).toBeInstanceOf(Date);
    expect(after.events.map((event) => event.type)).toEqual(['chart.created']);
  });

  it('is idempotent: a retry after a committed attempt creates no second client or event', async () => {
    const { db } = database;
    const { data } = chartCreatedWebhook();
    const onboarding = await newOnboarding(data.externalChartId);
    const input = {
      onboardingId: onboarding.id,
      organizationId: org.organizationId,
      chart: { externalChartId: data.externalChartId, client: data.client },
    };
    const activities = createActivities(testActivityDeps(db));

    const first = await activities.createChart(input);
    const firstCreatedAt = (await db.onboarding.findUniqueOrThrow({ where: { id: onboarding.id } })).chartCreatedAt;
    const second = await activities.createChart(input);

    expect(second.clientId).toBe(first.clientId);
    expect(await db.client.count({ where: { externalChartId: data.externalChartId } })).toBe(1);
    expect(await db.onboardingEvent.count({ where: { onboardingId: onboarding.id } })).toBe(1);
    const after = await db.onboarding.findUniqueOrThrow({ where: { id: onboarding.id } });
    expect(after.chartCreatedAt).toEqual(firstCreatedAt);
  });

  it('writes nothing when a step of its transaction fails', async () => {
    const { db } = database;
    const { data } = chartCreatedWebhook();
    // No onboarding row for this id: the status update fails after the client insert.
    await expect(
      createActivities(testActivityDeps(db)).createChart({
        onboardingId: '00000000-0000-4000-8000-00000000dead',
        organizationId: org.organizationId,
        chart: { externalChartId: data.externalChartId, client: data.client },
      }),
    ).rejects.toThrow();
    expect(await db.client.count({ where: { externalChartId: data.externalChartId } })).toBe(0);
  });
});

describe('recordOnboardingProgress', () => {
  it('changes the status and records a timeline entry once per key', async () => {
    const { db } = database;
    const onboarding = await newOnboarding(chartCreatedWebhook().data.externalChartId);
    const { recordOnboardingProgress } = createActivities(testActivityDeps(db));
    const progress = {
      onboardingId: onboarding.id,
      status: 'FAILED' as const,
      event: { key: 'failed:run-1', type: 'onboarding.failed' },
    };
    await recordOnboardingProgress(progress);
    await recordOnboardingProgress(progress);

    const after = await db.onboarding.findUniqueOrThrow({ where: { id: onboarding.id }, include: { events: true } });
    expect(after.status).toBe('FAILED');
    expect(after.events).toHaveLength(1);
  });
});
