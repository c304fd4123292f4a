export * from './publish.js';
export * from './approval.machine.js';
export * from './toolCall.machine.js';
export * from './turn.machine.js';
export * from './session.machine.js';
