export * from './tools.schema.js';
