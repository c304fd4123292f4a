export * from './outbox.js';
export * from './errors.js';
export * from './incoming.js';
export * from './connection.js';
export * from './approvals.bridge.js';
