export { rolloutPath, findRollout, sessionsDir, AmbiguousThreadIdError, MIN_THREAD_ID_PREFIX } from './rollout.files.js';
export { RolloutRecorder, type RolloutMeta, type RecorderOptions } from './rollout.recorder.js';
export { readRollout, type StoredThread } from './rollout.reader.js';
export {
  listRollouts,
  DEFAULT_LIST_LIMIT,
  MAX_LIST_LIMIT,
  type ListRolloutsParams,
  type ListRolloutsResult,
} from './rollout.list.js';
export { historyFromItems, previewOf } from './rollout.items.js';
export * from './rollout.schema.js';
