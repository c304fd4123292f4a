export * from './command.policy.js';
export * from './risk.assessment.js';
export * from './parse/index.js';
export * from './rules/index.js';
export * from './patch.policy.js';
