export * from './exec.policy.js';
export * from './risk.assessment.js';
