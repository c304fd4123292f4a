#!/usr/bin/env node
/**
 * The `statecraft` bin. Node reads a module's source map only when maps are on as that module
 * loads, so they are switched on here, before the program is imported: stack traces from the
 * bundle then name our .ts files and lines.
 */
process.setSourceMapsEnabled(true);
await import('./program.js');
