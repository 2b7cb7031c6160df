/**
 * Issue 13, bug 6, through the portal: the superbill a client downloads
 * itemises what took the total to the balance, and carries the EHR's ICD-10
 * codes only once the practice turns superbillDiagnosisCodes on.
 */
import { PDFParse } from 'pdf-parse';
import { signIn } from '../../use-cases/accounts/portal-sessions';
import { cookieName } from '../../http/cookies';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { CLIENT_PASSWORD, createPayingClient, enablePayments, giveInvoice, testInvoice } from '../support/payments';
import { startTestService, type TestService } from '../support/service';

/** The portal's session cookie as npm start and the tests name it (http://, so without `__Host-`). */
const SESSION_COOKIE = cookieName('portal', 'session', false);

let service: TestService;
let org: TestOrganization;
let superbillUrl: string;
let cookie: string;

beforeAll(async () => {
  service = await startTestService({ payments: 'local' });
  const db = service.database.db;
  org = await createTestOrganization(db);
  await enablePayments(db, org.organizationId);
  const client = await createPayingClient(db, org);
  // $150.00 of therapy: insurance paid $80.00, $10.00 written off, $60.00 left.
  const { invoiceId } = await giveInvoice(
    db,
    org,
    client,
    testInvoice({
      credits: [
        { kind: 'INSURANCE_PAYMENT', description: 'Aetna payment', amountCents: 8000 },
        { kind: 'ADJUSTMENT', description: 'Contractual adjustment', amountCents: 1000 },
      ],
      diagnosisCodes: ['F41.1'],
    }),
  );
  superbillUrl = `${service.api.url}/portal/${org.slug}/account/invoices/${invoiceId}/superbill.pdf`;
  cookie = `${SESSION_COOKIE}=${await signIn(db, org.organizationId, client.email, CLIENT_PASSWORD)}`;
});

afterAll(async () => {
  await service?.stop();
});

async function superbillText(): Promise<string> {
  const response = await fetch(superbillUrl, { headers: { cookie } });
  expect(response.status).toBe(200);
  const parser = new PDFParse({ data: new Uint8Array(await response.arrayBuffer()) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

test('the superbill adds up, and prints diagnosis codes only when the practice turns them on', async () => {
  const off = await superbillText();
  expect(off).toMatch(/Total charges\s+\$150\.00/);
  expect(off).toMatch(/Insurance payments\s+-\$80\.00/);
  expect(off).toMatch(/Adjustments and write-offs\s+-\$10\.00/);
  expect(off).toMatch(/Paid through the Client Portal\s+\$0\.00/);
  expect(off).toMatch(/Balance\s+\$60\.00/);
  expect(off).not.toContain('F41.1');
  expect(off).toContain('Diagnosis codes are available from your practice on request.');

  const turnOn = await fetch(`${service.api.url}/v1/practice/settings`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${org.keys.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ superbillDiagnosisCodes: true }),
  });
  expect(turnOn.status).toBe(200);
  const on = await superbillText();
  expect(on).toMatch(/ICD-10 codes\s+F41\.1/);
  expect(on).not.toContain('on request');
});
