import { describe, expect, it } from 'vitest';
import { parsePatch, PatchError } from '../../../actors/patch/index.js';

function parseError(text: string): PatchError {
  try {
    parsePatch(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PatchError);
    return error as PatchError;
  }
  throw new Error('expected a PatchError');
}

describe('parsePatch', () => {
  it('reads every kind of operation', () => {
    const parsed = parsePatch(
      [
        '*** Begin Patch',
        '*** Add File: a.txt',
        '+one',
        '+',
        '*** Delete File: b.txt',
        '*** Update File: c.txt',
        '*** Move to: d.txt',
        '@@ def f():',
        ' keep',
        '-old',
        '+new',
        '@@',
        '-tail',
        '+TAIL',
        '*** End of File',
        '*** End Patch',
      ].join('\n'),
    );
    expect(parsed.operations).toEqual([
      { type: 'add', path: 'a.txt', contents: 'one\n\n' },
      { type: 'delete', path: 'b.txt' },
      {
        type: 'update',
        path: 'c.txt',
        movePath: 'd.txt',
        hunks: [
          {
            headers: ['def f():'],
            lines: [
              { op: ' ', text: 'keep' },
              { op: '-', text: 'old' },
              { op: '+', text: 'new' },
            ],
            oldLines: ['keep', 'old'],
            newLines: ['keep', 'new'],
            endOfFile: false,
          },
          {
            headers: [],
            lines: [
              { op: '-', text: 'tail' },
              { op: '+', text: 'TAIL' },
            ],
            oldLines: ['tail'],
            newLines: ['TAIL'],
            endOfFile: true,
          },
        ],
      },
    ]);
  });

  it('accepts CRLF patch text', () => {
    const parsed = parsePatch('*** Begin Patch\r\n*** Add File: a\r\n+x\r\n*** End Patch\r\n');
    expect(parsed.operations).toEqual([{ type: 'add', path: 'a', contents: 'x\n' }]);
  });

  it.each([
    ["apply_patch <<'EOF'", 'EOF'],
    ['apply_patch <<EOF', 'EOF'],
    ['apply_patch <<"PATCH"', 'PATCH'],
    ['applypatch <<-EOF', '  EOF'],
  ])('unwraps the heredoc %s', (open, close) => {
    const parsed = parsePatch(`${open}\n*** Begin Patch\n*** Delete File: x\n*** End Patch\n${close}\n`);
    expect(parsed.operations).toEqual([{ type: 'delete', path: 'x' }]);
  });

  it('reads a missing first @@ as the first hunk, and a later hunk still needs @@', () => {
    const parsed = parsePatch('*** Begin Patch\n*** Update File: f\n a\n-b\n+c\n*** End Patch');
    const op = parsed.operations[0]!;
    expect(op.type === 'update' && op.hunks.length).toBe(1);
    const error = parseError('*** Begin Patch\n*** Update File: f\n@@\n-a\n+b\n*** End of File\n-c\n*** End Patch');
    expect(error.message).toContain('line 7');
    expect(error.message).toContain('@@');
  });

  it('skips blank lines outside hunks', () => {
    const parsed = parsePatch('*** Begin Patch\n*** Update File: f\n\n@@\n-a\n+b\n*** End of File\n\n*** Delete File: g\n*** End Patch');
    const op = parsed.operations[0]!;
    expect(op.type === 'update' && op.hunks.map((h) => h.lines.length)).toEqual([2]);
    expect(parsed.operations[1]).toEqual({ type: 'delete', path: 'g' });
  });

  it('names the offending line and its number', () => {
    const error = parseError('*** Begin Patch\n*** Update File: f.txt\n@@\n-a\nplain\n*** End Patch');
    expect(error.message).toContain('line 5');
    expect(error.line).toBe('plain');
    expect(error.file).toBe('f.txt');
  });

  it('rejects a patch that does not start with Begin Patch', () => {
    expect(parseError('*** Update File: f\n@@\n-a\n*** End Patch').message).toContain('*** Begin Patch');
  });

  it('rejects an unknown marker inside an update', () => {
    const error = parseError('*** Begin Patch\n*** Update File: f\n@@\n-a\n+b\n*** Frobnicate\n*** End Patch');
    expect(error.message).toContain('unknown marker');
    expect(error.line).toBe('*** Frobnicate');
  });

  it('rejects an update with no hunks and no move', () => {
    expect(parseError('*** Begin Patch\n*** Update File: f\n*** End Patch').message).toContain('at least one hunk');
  });

  it('rejects text after End Patch', () => {
    expect(parseError('*** Begin Patch\n*** Delete File: f\n*** End Patch\n*** Delete File: g\n*** End Patch').message).toContain('after');
  });

  it('rejects something other than a line after Delete File', () => {
    expect(parseError('*** Begin Patch\n*** Delete File: f\n-a\n*** End Patch').message).toContain('Delete File');
  });

  it('rejects a marker without a path', () => {
    expect(parseError('*** Begin Patch\n*** Add File:   \n+x\n*** End Patch').message).toContain('needs a path');
  });
});
