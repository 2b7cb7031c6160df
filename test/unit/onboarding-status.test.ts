import { OnboardingStatus as PrismaOnboardingStatus } from '../../generated/prisma/enums';
import { ONBOARDING_STATUSES } from '../../domain/onboarding-status';

describe('onboarding statuses', () => {
  it('are the same list in the workflow code and in the database enum', () => {
    expect([...ONBOARDING_STATUSES]).toEqual(Object.values(PrismaOnboardingStatus));
  });
});
