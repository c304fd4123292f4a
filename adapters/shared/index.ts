export { OutputBacklog, Overflow } from './output.backlog.js';
export { clientUserAgent } from './user.agent.js';
export type { StdioServerOptions } from './stdio.server.js';
