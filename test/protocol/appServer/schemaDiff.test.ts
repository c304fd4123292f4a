import { describe, expect, it } from 'vitest';
import { diffSchemas, type Direction } from '../reference/schemaDiff.js';

type Json = any;

/** One message in each bundle (ours under X, the reference's under v2/X), compared one way. */
const keys = (ours: Json, reference: Json, direction: Direction) =>
  diffSchemas({ definitions: { X: ours } }, { definitions: { v2: { X: reference } } }, [
    { ours: '#/definitions/X', reference: '#/definitions/v2/X', direction },
  ]).map((d) => d.key);

const object = (properties: Json, required: string[] = Object.keys(properties)) => ({ type: 'object', properties, required });
const str = { type: 'string' };
const nullableStr = { anyOf: [str, { type: 'null' }] };

describe('comparing a generated schema with the reference', () => {
  it('finds nothing between identical schemas', () => {
    const schema = object({ a: str, b: { type: 'array', items: { type: 'integer' } } });
    expect(keys(schema, schema, 'sent')).toEqual([]);
  });

  it('names fields one side lacks', () => {
    expect(keys(object({ a: str, mine: str }), object({ a: str, theirs: str }), 'sent')).toEqual(['v2/X.mine extra', 'v2/X.theirs missing']);
  });

  it('judges optional, required and null by the direction the message travels', () => {
    const loose = object({ a: nullableStr }, []);
    const strict = object({ a: str });
    // We send a value that may be null or absent where the reference always has a string.
    expect(keys(loose, strict, 'sent')).toEqual(['v2/X.a nullable', 'v2/X.a optional']);
    expect(keys(loose, strict, 'received')).toEqual([]);
    // We insist on a non-null value a client may leave out or send as null.
    expect(keys(strict, loose, 'received')).toEqual(['v2/X.a nullable', 'v2/X.a required']);
    expect(keys(strict, loose, 'sent')).toEqual([]);
  });

  it('compares allowed values', () => {
    const ours = object({ mode: { enum: ['a', 'b', 'c'] } });
    const theirs = object({ mode: { type: 'string', enum: ['a', 'b'] } });
    expect(keys(ours, theirs, 'sent')).toEqual(['v2/X.mode enum']);
    expect(keys(ours, theirs, 'received')).toEqual([]);
    expect(keys(object({ mode: str }), theirs, 'sent')).toEqual(['v2/X.mode enum']);
    expect(keys(object({ anything: {} }), object({ anything: str }), 'sent')).toEqual(['v2/X.anything type']);
  });

  it('pairs the variants of a tagged union by their tag, and names unpaired ones', () => {
    const variant = (type: string, extra: Json = {}) => object({ type: { const: type }, ...extra });
    const ours = { oneOf: [variant('text', { text: str }), variant('mine')] };
    const theirs = { oneOf: [variant('text', { text: str, detail: str }), variant('theirs')] };
    expect(keys(ours, theirs, 'sent')).toEqual(['v2/X<type=mine> extra', 'v2/X<type=text>.detail missing', 'v2/X<type=theirs> missing']);
  });

  it("reports a shape once, at the reference's definition, however many messages use it", () => {
    const ours = object({ one: { $ref: '#/definitions/X/$defs/T' }, two: { $ref: '#/definitions/X/$defs/T' } });
    (ours as Json).$defs = { T: object({ a: str }) };
    const theirs = object({ one: { $ref: '#/definitions/v2/T' }, two: { anyOf: [{ $ref: '#/definitions/v2/T' }, { type: 'null' }] } });
    const bundle = { definitions: { v2: { X: theirs, T: object({ a: { type: 'integer' } }) } } };
    expect(
      diffSchemas({ definitions: { X: ours } }, bundle, [{ ours: '#/definitions/X', reference: '#/definitions/v2/X', direction: 'sent' }]).map((d) => d.key),
    ).toEqual(['v2/T.a type']);
  });
});
