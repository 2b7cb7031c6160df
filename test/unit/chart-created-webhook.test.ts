import { ZChartCreatedWebhook } from '../../schemas/chart-created-webhook';
import { chartCreatedWebhook } from '../support/factories';

function errorPaths(value: unknown): string[] {
  const result = ZChartCreatedWebhook.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('the chart-created webhook schema', () => {
  it('accepts a complete event and normalises the email', () => {
    const event = chartCreatedWebhook({ email: 'Ada.Lovelace@Example.TEST' });
    const parsed = ZChartCreatedWebhook.parse(event);
    expect(parsed.data.client.email).toBe('ada.lovelace@example.test');
  });

  it('defaults to no invitation and no form package', () => {
    const parsed = ZChartCreatedWebhook.parse({
      type: 'chart.created',
      data: { externalChartId: 'C-1', client: { firstName: 'A', lastName: 'B', dateOfBirth: '2001-02-03' } },
    });
    expect(parsed.data.portal.invite).toBe(false);
    expect(parsed.data.formPackageKey).toBeUndefined();
  });

  it('requires an email when an invitation is asked for (seed 000)', () => {
    const event = chartCreatedWebhook({ invite: true });
    delete event.data.client.email;
    expect(errorPaths(event)).toEqual(['data.client.email']);
  });

  it('rejects impossible or future dates of birth', () => {
    expect(errorPaths(chartCreatedWebhook({ dateOfBirth: '1990-02-30' }))).toContain('data.client.dateOfBirth');
    expect(errorPaths(chartCreatedWebhook({ dateOfBirth: '2999-01-01' }))).toContain('data.client.dateOfBirth');
    expect(errorPaths(chartCreatedWebhook({ dateOfBirth: '12/05/1987' }))).toContain('data.client.dateOfBirth');
  });

  it('rejects chart ids that could smuggle anything into logs or ids', () => {
    expect(errorPaths(chartCreatedWebhook({ externalChartId: 'a b' }))).toContain('data.externalChartId');
    expect(errorPaths(chartCreatedWebhook({ externalChartId: 'x'.repeat(129) }))).toContain('data.externalChartId');
  });

  it('rejects other event types and names that are blank after trimming', () => {
    expect(errorPaths({ ...chartCreatedWebhook(), type: 'chart.deleted' })).toContain('type');
    expect(errorPaths(chartCreatedWebhook({ lastName: '   ' }))).toContain('data.client.lastName');
  });

  it('never quotes the rejected value in its messages', () => {
    const result = ZChartCreatedWebhook.safeParse(chartCreatedWebhook({ email: 'not-an-email-SECRET' }));
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).not.toContain('SECRET');
  });
});
