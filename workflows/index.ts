// Entry point of the worker's workflow bundle: every workflow type it runs.
export * from './client-onboarding';
export * from './form-request';
export * from './status-callback';
export * from './password-reset';
export * from './payment';
export * from './portal-user-invitation';
export * from './staff-pause-alert';
export * from './staff-invitation';
