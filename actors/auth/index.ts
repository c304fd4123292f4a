/** API keys: the environment's, or the one `statecraft login` stored in `<home>/auth.json` or the OS keyring. */
export { CredentialsError, KeyringUnavailableError, deleteApiKey, loadApiKey, maskApiKey, saveApiKey } from './credentials.store.js';
export { CODEX_API_KEY, currentApiKey, envApiKey } from './api.key.js';
