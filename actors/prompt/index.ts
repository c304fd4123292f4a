export { instructionsFor } from './base.instructions.js';
export { environmentContext } from './environment.context.js';
export { agentsInstructions, findAgentsFiles, AGENTS_FILE_CAP_BYTES } from './agents.md.js';
export { loadImage, MAX_IMAGE_BYTES } from './image.loader.js';
export { prepareTurn } from './prepare.turn.js';
export { compactedHistory, compactionRequest, withoutOldestExchange } from './compaction.js';
export { discoverSkills } from './skills.js';
