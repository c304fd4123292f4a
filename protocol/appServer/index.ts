export * from './jsonrpc.schema.js';
export * from './initialize.schema.js';
export * from './requests.schema.js';
export * from './serverRequests.schema.js';
export * from './notifications.schema.js';
export * from './catalog.js';
export * from './errors.js';
