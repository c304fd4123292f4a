/** The model client (Responses and Chat wire APIs, with retries) and the scripted model server. */
export { streamModel } from './stream.js';
export type { ModelRequest } from './request.js';
export { startScriptedServer, type ScriptedServer } from './scripted.server.js';
export { Script, loadScript } from './script.schema.js';
export { demoScript } from './demo.script.js';
export { fetchServedModels, type ServedModel } from './served.models.js';
