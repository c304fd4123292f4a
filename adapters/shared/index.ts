export { OutputBacklog, Overflow } from './output.backlog.js';
export { clientUserAgent } from './user.agent.js';
export type { StdioServerOptions } from './stdio.server.js';
export { DEFAULT_MAX_LINE_BYTES, readLines, type LineEvent } from './line.reader.js';
export { describeElicitation, formFields, type ElicitationEvent } from './elicitation.form.js';
