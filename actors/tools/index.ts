export { toolSpecs } from './specs.js';
export { parseToolArgs, type ParsedToolCall } from './parse.js';
export { commandActionsOf } from './command.actions.js';
export { parametersOf } from './json.schema.js';
