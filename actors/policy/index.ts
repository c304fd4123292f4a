export * from './exec.policy.js';
