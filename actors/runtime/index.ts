export * from './thread.runtime.js';
export { liveToolCall, sandboxFor, prepareToolCall, toolActors } from './tool.actors.js';
export * from './runtime.js';
export * from './thread.registry.js';
