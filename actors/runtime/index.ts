export * from './thread.runtime.js';
export { sandboxFor } from './thread.sandbox.js';
export * from './runtime.js';
export * from './thread.registry.js';
export type { ModelListing } from './model.list.js';

// What the thread-driving adapters need from the other actors, so they depend on this face alone.
export { ConfigError, findRepositoryRoot, formatKeyPath, modelCatalog, statecraftHome } from '../config/index.js';
export { findAgentsFiles } from '../prompt/index.js';
export { AmbiguousThreadIdError } from '../rollout/index.js';
export { machineDefinitions, type MachineDefinition, type StateDefinition } from '../../machines/index.js';
export { readTrace, type TraceRecord } from '../trace/index.js';
export * from './trace.lookup.js';
export { CredentialsError, KeyringUnavailableError, currentApiKey, deleteApiKey, maskApiKey, saveApiKey } from '../auth/index.js';
