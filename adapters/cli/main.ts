#!/usr/bin/env node
/**
 * The `statecraft` bin: stack traces from the bundle name our .ts files and lines (their maps
 * are read when a stack is formatted), then the program loads.
 */
import { mapStackTracesLazily } from './source.lines.js';

mapStackTracesLazily();
await import('./program.js');
