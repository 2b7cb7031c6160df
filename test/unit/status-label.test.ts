/**
 * The staff status of an onboarding with forms counts what is still waiting,
 * the number the client's portal shows as "forms to complete" (issue 13, bug 1:
 * "Forms outstanding 1/6" counted the signed ones).
 */
import { statusLabel } from '../../web/staff/status-label';

describe('statusLabel', () => {
  it('counts the forms still waiting out of all the forms sent', () => {
    expect(statusLabel('FORMS_OUTSTANDING', { total: 4, submitted: 1 })).toBe('Forms outstanding: 3 of 4');
    expect(statusLabel('FORMS_OUTSTANDING', { total: 1, submitted: 0 })).toBe('Forms outstanding: 1 of 1');
  });
});
