export { TraceBuilder, summarise, type TraceRecord } from './trace.records.js';
export { TraceWriter, readTrace, tracePath } from './trace.file.js';
