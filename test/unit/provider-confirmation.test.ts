import { confirmationProblem, type ExpectedPayment } from '../../payments/provider-confirmation';
import type { PaymentDetails } from '../../payments/payment-provider';

const expected: ExpectedPayment = {
  paymentRequestId: 'req-1',
  amountCents: 6400,
  currency: 'usd',
  customerId: 'cus_1',
};
const paid: PaymentDetails = {
  paymentIntentId: 'pi_1',
  status: 'succeeded',
  amountReceivedCents: 6400,
  currency: 'usd',
  customerId: 'cus_1',
  metadata: { paymentRequestId: 'req-1', organizationId: 'org-1' },
  card: null,
};

describe('a payment is recorded only when the provider confirms it exactly (issue 14, item 1)', () => {
  it('confirms a succeeded payment of this request, amount, currency and customer', () => {
    expect(confirmationProblem(paid, expected)).toBeNull();
    expect(confirmationProblem({ ...paid, currency: 'USD' }, expected)).toBeNull();
  });

  it('waits on one the provider is still processing', () => {
    expect(confirmationProblem({ ...paid, status: 'processing' }, expected)).toMatchObject({ pending: true });
  });

  it.each<[string, Partial<PaymentDetails>, Partial<ExpectedPayment>]>([
    ['failed', { status: 'failed' }, {}],
    ['waiting for 3-D Secure', { status: 'requires_action' }, {}],
    ['another request’s', { metadata: { paymentRequestId: 'req-2' } }, {}],
    ['without our metadata', { metadata: {} }, {}],
    ['a cent short', { amountReceivedCents: 6399 }, {}],
    ['a cent over', { amountReceivedCents: 6401 }, {}],
    ['in another currency', { currency: 'eur' }, {}],
    ['another customer’s', { customerId: 'cus_2' }, {}],
    ['without a customer', { customerId: null }, {}],
    ['when we have no customer for the client', {}, { customerId: null }],
  ])('refuses a payment %s for good', (_what, change, expectation) => {
    expect(confirmationProblem({ ...paid, ...change }, { ...expected, ...expectation })).toMatchObject({
      pending: false,
    });
  });
});
