export { OUTPUT_BACKLOG_CHARS, OutputBacklog, Overflow, slowReaderMarker, type Admission } from './output.backlog.js';
