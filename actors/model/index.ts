/** The model client (Responses and Chat wire APIs, with retries) and the scripted model server. */
export { streamModel } from './stream.js';
export type { ModelRequest, StreamOptions } from './request.js';
export { startScriptedServer, type ScriptedServer } from './scripted.server.js';
export {
  Script,
  ScriptTurn,
  ScriptItem,
  ScriptText,
  ScriptReasoning,
  ScriptCall,
  ScriptCustom,
  ScriptWebSearch,
  ScriptErrorTurn,
  ScriptDropTurn,
  ScriptFailedTurn,
  loadScript,
} from './script.schema.js';
export { demoScript } from './demo.script.js';
