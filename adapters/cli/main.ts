#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * The `statecraft` bin. Its first line keeps V8's young generation at 4 MB a semi-space (16 by
 * default): a long-lived app-server with many busy threads then peaks some 20 MB lower, and no
 * figure of `npm run bench` got slower. Stack traces from the bundle name our .ts files and lines (their maps
 * are read when a stack is formatted), then the program loads.
 */
import { mapStackTracesLazily } from './source.lines.js';

mapStackTracesLazily();
await import('./program.js');
