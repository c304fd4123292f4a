import { describe, expect, it } from 'vitest';
import { printModule, printType, typeName } from '../../../actors/schemaExport/index.js';

const ctx = { resolveRef: (ref: string) => ref.replace('#/$defs/', 'Def_') };
const flat = (type: string) => type.replace(/\s+/g, ' ');

describe('JSON Schema → TypeScript printer', () => {
  it('prints primitives, type arrays, enums and consts', () => {
    expect(printType({ type: 'integer' }, ctx)).toBe('number');
    expect(printType({ type: ['string', 'null'] }, ctx)).toBe('string | null');
    expect(printType({ enum: ['a', 'b', null] }, ctx)).toBe('"a" | "b" | null');
    expect(printType({ const: 'x"y' }, ctx)).toBe('"x\\"y"');
    expect(printType({}, ctx)).toBe('unknown');
    expect(printType({ not: {} }, ctx)).toBe('never');
  });

  it('prints unions, intersections, arrays, tuples and refs', () => {
    expect(printType({ anyOf: [{ $ref: '#/$defs/A' }, { type: 'null' }] }, ctx)).toBe('Def_A | null');
    expect(printType({ oneOf: [{ type: 'string' }, {}] }, ctx)).toBe('unknown');
    expect(printType({ allOf: [{ $ref: '#/$defs/A' }, { enum: [1, 2] }] }, ctx)).toBe('Def_A & (1 | 2)');
    expect(printType({ type: 'array', items: { type: ['number', 'null'] } }, ctx)).toBe('Array<number | null>');
    expect(printType({ type: 'array', prefixItems: [{ type: 'string' }, { type: 'boolean' }] }, ctx)).toBe('[string, boolean]');
  });

  it('prints objects with optional, quoted and extra keys', () => {
    const obj = {
      type: 'object',
      properties: { id: { type: 'string' }, 'odd-key': { type: 'number' } },
      required: ['id'],
      additionalProperties: false,
    };
    expect(flat(printType(obj, ctx))).toBe('{ id: string; "odd-key"?: number; }');
    expect(flat(printType({ type: 'object', additionalProperties: { type: 'string' } }, ctx))).toBe('{ [key: string]: string; }');
    expect(flat(printType({ type: 'object', properties: {}, additionalProperties: {} }, ctx))).toBe('{ [key: string]: unknown; }');
    expect(printType({ type: 'object', properties: {}, additionalProperties: false }, ctx)).toBe('Record<string, never>');
  });

  it('prints a module with its definitions and keeps names distinct', () => {
    const text = printModule(
      'Root',
      { description: 'the root', type: 'object', properties: { a: { $ref: '#/$defs/Root' } }, $defs: { Root: { type: 'string' } } },
      '// header\n',
    );
    expect(text).toContain('/** the root */\nexport type Root = {');
    expect(text).toContain('a?: Root_;');
    expect(text).toContain('export type Root_ = string;');
    expect(typeName('9 lives-x')).toBe('_9_lives_x');
  });
});
