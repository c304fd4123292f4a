export * from './thread.runtime.js';
export { sandboxFor, prepareToolCall, toolActors } from './tool.actors.js';
export { TurnDiffTracker } from './turn.diff.js';
export * from './runtime.js';
export * from './thread.registry.js';
