export { toolSpecs } from './specs.js';
export { parseToolArgs, type ParsedToolCall } from './parse.js';
export { parametersOf } from './json.schema.js';
