export { McpConnections, ThreadMcp, type McpToolRef } from './manager.js';
export { qualifiedToolName, MAX_TOOL_NAME } from './names.js';
export { resultForModel } from './tools.js';
