export { McpConnections, ThreadMcp, type McpStatusWatcher, type McpToolRef } from './manager.js';
export type { ElicitationAsker } from './connection.js';
export { qualifiedToolName, MAX_TOOL_NAME } from './names.js';
export { resultForModel } from './tools.js';
