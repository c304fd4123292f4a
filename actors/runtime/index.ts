export * from './thread.runtime.js';
export { sandboxFor, prepareToolCall } from './tool.actors.js';
export * from './runtime.js';
export * from './thread.registry.js';
