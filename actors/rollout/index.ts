export { rolloutPath, findRollout, AmbiguousThreadIdError, MIN_THREAD_ID_PREFIX } from './rollout.files.js';
export { RolloutRecorder } from './rollout.recorder.js';
export { readRollout, type StoredThread } from './rollout.reader.js';
export { listRollouts } from './rollout.list.js';
export * from './rollout.schema.js';
export { AppendLog } from './append.log.js';
