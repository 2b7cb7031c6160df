/**
 * The floor's activities (bench/floor-workflow.ts): they return at once, and
 * the last one notes when the "invitation" was handed over, as the mailer's
 * sentAt does for the onboarding.
 */
export interface FloorActivities {
  createChart(onboardingId: string): Promise<void>;
  getInvitationPolicy(onboardingId: string): Promise<void>;
  issueInvitation(onboardingId: string): Promise<void>;
}

export function createFloorActivities(handedOver: Map<string, number>): FloorActivities {
  return {
    createChart: () => Promise.resolve(),
    getInvitationPolicy: () => Promise.resolve(),
    issueInvitation: (onboardingId) => {
      handedOver.set(onboardingId, Date.now());
      return Promise.resolve();
    },
  };
}
