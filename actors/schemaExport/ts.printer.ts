import type { JsonSchema } from './json.schema.js';

/*
 * Prints TypeScript declarations for the JSON Schema subset z.toJSONSchema produces:
 * objects (properties, required, additionalProperties), arrays (items, prefixItems),
 * enum and const, anyOf / oneOf / allOf, $ref into $defs, primitive types and type arrays.
 * Anything else prints as `unknown`, which is always safe.
 */

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A valid, PascalCase-ish type name for a definition key. */
export const typeName = (raw: string): string => {
  const cleaned = raw.replace(/[^A-Za-z0-9_$]+/g, '_');
  const name = /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
  return name.length > 0 ? name : '_';
};

const propertyKey = (key: string): string => (IDENT.test(key) ? key : JSON.stringify(key));

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const literal = (value: unknown): string => (value === null || ['string', 'number', 'boolean'].includes(typeof value) ? JSON.stringify(value) : 'unknown');

const union = (members: string[]): string => {
  const unique = [...new Set(members)];
  if (unique.length === 0) return 'never';
  if (unique.includes('unknown')) return 'unknown';
  return unique.length === 1 ? unique[0]! : unique.join(' | ');
};

/** Parenthesises a type that may hold a union, so it can be an operand of `&`. */
const group = (type: string): string => (/[|&]/.test(type) ? `(${type})` : type);

const indentLines = (text: string, pad: string): string =>
  text
    .split('\n')
    .map((line, i) => (i === 0 ? line : pad + line))
    .join('\n');

const docComment = (schema: Record<string, unknown>, pad: string): string => {
  const text = typeof schema.description === 'string' ? schema.description : undefined;
  if (!text) return '';
  const body = text.replace(/\*\//g, '*\\/').split('\n');
  return body.length === 1 ? `${pad}/** ${body[0]} */\n` : `${pad}/**\n${body.map((l) => `${pad} * ${l}`).join('\n')}\n${pad} */\n`;
};

export interface PrintContext {
  /** Maps a $ref string to the type name it should print as. */
  resolveRef: (ref: string) => string;
}

const printObject = (schema: Record<string, unknown>, ctx: PrintContext): string => {
  const props = isRecord(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const lines: string[] = [];
  for (const [key, sub] of Object.entries(props)) {
    const optional = required.has(key) ? '' : '?';
    const doc = isRecord(sub) ? docComment(sub, '  ') : '';
    lines.push(`${doc}  ${propertyKey(key)}${optional}: ${indentLines(printType(sub, ctx), '  ')};`);
  }
  const extra = schema.additionalProperties;
  const hasProps = lines.length > 0;
  if (extra === true || (isRecord(extra) && (hasProps || Object.keys(extra).length === 0))) {
    // An index signature must admit every named property's type, so with properties it stays unknown.
    lines.push(`  [key: string]: unknown;`);
  } else if (isRecord(extra)) {
    lines.push(`  [key: string]: ${indentLines(printType(extra, ctx), '  ')};`);
  } else if (extra === undefined && !hasProps && schema.properties === undefined) {
    lines.push(`  [key: string]: unknown;`);
  }
  return lines.length === 0 ? 'Record<string, never>' : `{\n${lines.join('\n')}\n}`;
};

const printArray = (schema: Record<string, unknown>, ctx: PrintContext): string => {
  if (Array.isArray(schema.prefixItems)) {
    const head = schema.prefixItems.map((item) => printType(item, ctx));
    const rest = isRecord(schema.items) ? [`...Array<${printType(schema.items, ctx)}>`] : [];
    return `[${[...head, ...rest].join(', ')}]`;
  }
  const item = isRecord(schema.items) ? printType(schema.items, ctx) : 'unknown';
  return `Array<${item}>`;
};

const printPrimitive = (type: string, schema: Record<string, unknown>, ctx: PrintContext): string => {
  switch (type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return printArray(schema, ctx);
    case 'object':
      return printObject(schema, ctx);
    default:
      return 'unknown';
  }
};

/** The TypeScript type for one schema node. */
export const printType = (node: unknown, ctx: PrintContext): string => {
  if (node === true) return 'unknown';
  if (node === false) return 'never';
  if (!isRecord(node)) return 'unknown';
  if (typeof node.$ref === 'string') return ctx.resolveRef(node.$ref);
  if ('const' in node) return literal(node.const);
  if (Array.isArray(node.enum)) return union(node.enum.map(literal));
  const alternatives = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined;
  if (alternatives) return union(alternatives.map((alt) => printType(alt, ctx)));
  if (Array.isArray(node.allOf)) {
    const parts = node.allOf.map((part) => group(printType(part, ctx)));
    return parts.length === 0 ? 'unknown' : parts.join(' & ');
  }
  if (Array.isArray(node.type)) return union(node.type.map((t) => printPrimitive(String(t), node, ctx)));
  if (typeof node.type === 'string') return printPrimitive(node.type, node, ctx);
  if (isRecord(node.properties)) return printObject(node, ctx);
  if (isRecord(node.not) && Object.keys(node.not).length === 0) return 'never';
  return 'unknown';
};

/**
 * A whole module for one root schema: the exported root type, then one exported type per
 * entry of its $defs (named after the definition key; renamed if it clashes with the root).
 */
export const printModule = (rootName: string, root: JsonSchema, header: string): string => {
  const defs = isRecord(root.$defs) ? root.$defs : {};
  const names = new Map<string, string>();
  const taken = new Set([rootName]);
  for (const key of Object.keys(defs)) {
    let name = typeName(key);
    while (taken.has(name)) name = `${name}_`;
    taken.add(name);
    names.set(key, name);
  }
  const ctx: PrintContext = {
    resolveRef: (ref) => {
      if (ref === '#') return rootName;
      const match = /^#\/\$defs\/(.+)$/.exec(ref);
      return (match && names.get(match[1]!)) ?? 'unknown';
    },
  };
  const blocks = [`${docComment(root, '')}export type ${rootName} = ${printType(root, ctx)};`];
  for (const [key, def] of Object.entries(defs)) {
    blocks.push(`${isRecord(def) ? docComment(def, '') : ''}export type ${names.get(key)} = ${printType(def, ctx)};`);
  }
  return `${header}\n${blocks.join('\n\n')}\n`;
};
