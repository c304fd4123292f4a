export { generateJsonSchema, JSON_SCHEMA_BUNDLE_FILE } from './generateJsonSchema.js';
export { generateTypeScript } from './generateTypeScript.js';
export { bundleJsonSchema } from './json.schema.js';
export { printModule, printType, typeName } from './ts.printer.js';
