/** Finding the text of a line's top-level id, for ids a double cannot hold. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify, idSourceText, NumericIdText } from '../../../adapters/app-server/index.js';

describe('idSourceText', () => {
  it('finds the top-level id, whatever surrounds it', () => {
    expect(idSourceText('{"id":12345678901234567890,"method":"x"}')).toBe('12345678901234567890');
    expect(idSourceText(' { "method" : "x" , "params" : {"id": 1, "s": "\\"id\\":2"} , "id" : -1.5e+300 } ')).toBe('-1.5e+300');
    expect(idSourceText('{"params":["}",{"id":[1,{"id":2}]}],"id":7}')).toBe('7');
    expect(idSourceText('{"\\u0069d":99999999999999999999}')).toBe('99999999999999999999');
    // JSON.parse keeps the last of repeated keys; so does this.
    expect(idSourceText('{"id":1,"id":2}')).toBe('2');
    expect(idSourceText('{"method":"x"}')).toBeNull();
    expect(idSourceText('[1,2]')).toBeNull();
  });

  it('agrees with the text it was built from (property)', () => {
    const digits = fc.tuple(fc.boolean(), fc.stringMatching(/^[1-9][0-9]{15,40}$/)).map(([minus, d]) => `${minus ? '-' : ''}${d}`);
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string().filter((k) => k !== 'id'),
          fc.jsonValue(),
        ),
        digits,
        fc.nat(),
        (members, id, at) => {
          const entries = Object.entries(members).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
          entries.splice(at % (entries.length + 1), 0, `"id":${id}`);
          const line = `{${entries.join(',')}}`;
          expect(idSourceText(line)).toBe(id);
        },
      ),
    );
  });
});

describe('classify', () => {
  it('keeps the text of a numeric id a double would change, and plain numbers as numbers', () => {
    const big = '{"id":9007199254740993,"method":"m"}';
    expect(classify(JSON.parse(big), big)).toEqual({ kind: 'request', id: new NumericIdText('9007199254740993'), method: 'm', params: undefined });
    const small = '{"id":42,"method":"m"}';
    expect(classify(JSON.parse(small), small)).toMatchObject({ kind: 'request', id: 42 });
  });
});
