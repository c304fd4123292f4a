export { OutputBacklog, Overflow } from './output.backlog.js';
