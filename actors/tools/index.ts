export { toolSpecs } from './specs.js';
export { parseToolArgs } from './parse.js';
