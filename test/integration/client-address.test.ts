/**
 * The client's address behind a proxy (issue 14, item 2): with TRUST_PROXY
 * naming the proxies, the audit trail (and with it rate limits and
 * e-signatures, which read the same req.ip) records the client that the
 * proxy saw, and a forwarded address from anyone else is not believed.
 */
import { randomUUID } from 'node:crypto';
import { createTestOrganization } from '../support/factories';
import { startTestService, type TestService } from '../support/service';

const CLIENT = '203.0.113.7';

async function auditedAddress(trustProxy: number | string[]): Promise<string | null> {
  let service: TestService | undefined;
  try {
    service = await startTestService({ trustProxy });
    const org = await createTestOrganization(service.database.db);
    const onboardingId = randomUUID();
    // A read of an onboarding that does not exist: refused, and the refusal is audited with its origin.
    const response = await service.get(`/v1/onboardings/${onboardingId}`, {
      authorization: `Bearer ${org.keys.admin}`,
      'x-forwarded-for': CLIENT,
    });
    expect(response.status).toBe(404);
    const row = await service.database.db.auditEvent.findFirstOrThrow({
      where: { organizationId: org.organizationId, action: 'onboarding.read' },
      select: { ip: true },
    });
    return row.ip;
  } finally {
    await service?.stop();
  }
}

it('believes X-Forwarded-For from the number of proxy hops TRUST_PROXY names', async () => {
  expect(await auditedAddress(1)).toBe(CLIENT);
});

it('does not believe X-Forwarded-For from an address outside the proxy ranges TRUST_PROXY names', async () => {
  const ip = await auditedAddress(['10.0.0.0/8']);
  expect(ip).not.toBe(CLIENT);
  expect(ip).toMatch(/127\.0\.0\.1/);
});
