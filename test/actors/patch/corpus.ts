import type { Tree } from './helpers.js';

/**
 * Patch cases: a starting tree, the patch text, and either the whole expected tree after
 * applying it or the error it must raise (a substring of the message, and optionally the
 * file and line the error names).
 */
export type PatchCase = {
  name: string;
  before: Tree;
  patch: string;
  after?: Tree;
  error?: string;
  errorFile?: string;
  errorLine?: string;
};

const wrap = (body: string): string => `*** Begin Patch\n${body}*** End Patch\n`;

const py = ['class A:', '    def run(self):', '        return 1', '', 'class B:', '    def run(self):', '        return 1', ''].join('\n');

export const CASES: PatchCase[] = [
  {
    name: 'add a file',
    before: {},
    patch: wrap('*** Add File: hello.txt\n+hello world\n+second line\n'),
    after: { 'hello.txt': 'hello world\nsecond line\n' },
  },
  {
    name: 'add into a new nested directory',
    before: { 'keep.txt': 'k\n' },
    patch: wrap('*** Add File: src/deep/er/new.ts\n+export const x = 1;\n'),
    after: { 'keep.txt': 'k\n', 'src/deep/er/new.ts': 'export const x = 1;\n' },
  },
  {
    name: 'add an empty file',
    before: {},
    patch: wrap('*** Add File: empty.txt\n'),
    after: { 'empty.txt': '' },
  },
  {
    name: 'delete a file',
    before: { 'a.txt': 'a\n', 'b.txt': 'b\n' },
    patch: wrap('*** Delete File: a.txt\n'),
    after: { 'b.txt': 'b\n' },
  },
  {
    name: 'update one line',
    before: { 'README.md': 'hello\n' },
    patch: wrap('*** Update File: README.md\n@@\n-hello\n+hello patched\n'),
    after: { 'README.md': 'hello patched\n' },
  },
  {
    name: 'update with several hunks',
    before: { 'f.txt': 'a\nb\nc\nd\ne\nf\ng\nh\n' },
    patch: wrap('*** Update File: f.txt\n@@\n a\n-b\n+B\n c\n@@\n f\n-g\n+G\n+G2\n h\n'),
    after: { 'f.txt': 'a\nB\nc\nd\ne\nf\nG\nG2\nh\n' },
  },
  {
    name: 'several files in one patch',
    before: { 'old.txt': 'gone\n', 'mod.txt': 'one\ntwo\n' },
    patch: wrap('*** Add File: new.txt\n+fresh\n*** Update File: mod.txt\n@@\n one\n-two\n+2\n*** Delete File: old.txt\n'),
    after: { 'new.txt': 'fresh\n', 'mod.txt': 'one\n2\n' },
  },
  {
    name: 'move without edits',
    before: { 'from.txt': 'same\n' },
    patch: wrap('*** Update File: from.txt\n*** Move to: to.txt\n'),
    after: { 'to.txt': 'same\n' },
  },
  {
    name: 'move with edits into a new directory',
    before: { 'src/app.py': 'print("Hi")\nx = 1\n' },
    patch: wrap('*** Update File: src/app.py\n*** Move to: lib/main.py\n@@\n-print("Hi")\n+print("Hello")\n x = 1\n'),
    after: { 'lib/main.py': 'print("Hello")\nx = 1\n' },
  },
  {
    name: 'End of File anchors at the end despite an earlier identical block',
    before: { 'f.txt': 'end\nmiddle\nend\n' },
    patch: wrap('*** Update File: f.txt\n@@\n-end\n+END\n*** End of File\n'),
    after: { 'f.txt': 'end\nmiddle\nEND\n' },
  },
  {
    name: 'CRLF file keeps CRLF',
    before: { 'win.txt': 'one\r\ntwo\r\nthree\r\n' },
    patch: wrap('*** Update File: win.txt\n@@\n one\n-two\n+TWO\n+extra\n three\n'),
    after: { 'win.txt': 'one\r\nTWO\r\nextra\r\nthree\r\n' },
  },
  {
    name: 'Unicode punctuation drift',
    before: { 'doc.md': 'intro\nIt\u2019s \u201Cquoted\u201D \u2014 with\u00A0nbsp\nnext\n' },
    patch: wrap('*** Update File: doc.md\n@@\n intro\n-It\'s "quoted" - with nbsp\n+Plain now\n next\n'),
    after: { 'doc.md': 'intro\nPlain now\nnext\n' },
  },
  {
    name: 'trailing whitespace drift',
    before: { 'f.txt': 'alpha  \nbeta\t\ngamma\n' },
    patch: wrap('*** Update File: f.txt\n@@\n alpha\n-beta\n+BETA\n gamma\n'),
    after: { 'f.txt': 'alpha  \nBETA\ngamma\n' },
  },
  {
    name: 'leading whitespace drift keeps the file context lines',
    before: { 'f.py': 'def f():\n    x = 1\n    return x\n' },
    patch: wrap('*** Update File: f.py\n@@\n def f():\n-x = 1\n+    x = 2\n return x\n'),
    after: { 'f.py': 'def f():\n    x = 2\n    return x\n' },
  },
  {
    name: 'ambiguous context is an error',
    before: { 'f.txt': 'x\ntarget\ny\nx\ntarget\ny\n' },
    patch: wrap('*** Update File: f.txt\n@@\n x\n-target\n+changed\n'),
    error: 'ambiguous',
    errorFile: 'f.txt',
    errorLine: 'x',
  },
  {
    name: 'missing context names the file and the line',
    before: { 'f.txt': 'one\ntwo\nthree\n' },
    patch: wrap('*** Update File: f.txt\n@@\n one\n-deux\n+2\n'),
    error: "no match for 'deux'",
    errorFile: 'f.txt',
    errorLine: 'deux',
  },
  {
    name: 'empty patch',
    before: {},
    patch: '*** Begin Patch\n*** End Patch\n',
    error: 'no file operations',
  },
  {
    name: 'empty text',
    before: {},
    patch: '  \n',
    error: 'empty',
  },
  {
    name: 'deleting a missing file',
    before: {},
    patch: wrap('*** Delete File: ghost.txt\n'),
    error: 'does not exist',
    errorFile: 'ghost.txt',
  },
  {
    name: 'updating a missing file',
    before: {},
    patch: wrap('*** Update File: ghost.txt\n@@\n-a\n+b\n'),
    error: 'does not exist',
  },
  {
    name: 'adding an existing file',
    before: { 'there.txt': 'x\n' },
    patch: wrap('*** Add File: there.txt\n+y\n'),
    error: 'already exists',
    errorFile: 'there.txt',
  },
  {
    name: 'heredoc-wrapped patch',
    before: { 'f.txt': 'a\n' },
    patch: `apply_patch <<'EOF'\n${wrap('*** Update File: f.txt\n@@\n-a\n+b\n')}EOF\n`,
    after: { 'f.txt': 'b\n' },
  },
  {
    name: 'bash -lc wrapped heredoc',
    before: { 'f.txt': 'a\n' },
    patch: `bash -lc "apply_patch <<\\"EOF\\"\n${wrap('*** Update File: f.txt\n@@\n-a\n+\\$b\n')}EOF\n"`,
    after: { 'f.txt': '$b\n' },
  },
  {
    name: 'padded markers',
    before: { 'f.txt': 'a\nb\n' },
    patch: '  *** Begin Patch  \n *** Update File: f.txt \n  @@  \n a\n-b\n+c\n   *** End Patch\n\n',
    after: { 'f.txt': 'a\nc\n' },
  },
  {
    name: '@@ header disambiguates identical blocks',
    before: { 'f.py': py },
    patch: wrap('*** Update File: f.py\n@@ class B:\n     def run(self):\n-        return 1\n+        return 2\n'),
    after: { 'f.py': py.replace(/return 1\n$/, 'return 2\n') },
  },
  {
    name: 'stacked @@ headers narrow step by step',
    before: { 'f.py': py },
    patch: wrap('*** Update File: f.py\n@@ class B:\n@@ def run(self):\n-        return 1\n+        return 3\n'),
    after: { 'f.py': py.replace(/return 1\n$/, 'return 3\n') },
  },
  {
    name: 'missing first @@',
    before: { 'f.txt': 'a\nb\nc\n' },
    patch: wrap('*** Update File: f.txt\n a\n-b\n+B\n c\n'),
    after: { 'f.txt': 'a\nB\nc\n' },
  },
  {
    name: 'file without trailing newline stays without',
    before: { 'f.txt': 'a\nb' },
    patch: wrap('*** Update File: f.txt\n@@\n a\n-b\n+B\n'),
    after: { 'f.txt': 'a\nB' },
  },
  {
    name: 'blank lines inside a hunk are empty context',
    before: { 'f.txt': 'a\n\nb\n\nc\n' },
    patch: wrap('*** Update File: f.txt\n@@\n a\n\n-b\n+B\n\n c\n'),
    after: { 'f.txt': 'a\n\nB\n\nc\n' },
  },
  {
    name: 'trailing blank slack before End Patch is tolerated',
    before: { 'f.txt': 'a\nb\n' },
    patch: wrap('*** Update File: f.txt\n@@\n a\n-b\n+c\n\n'),
    after: { 'f.txt': 'a\nc\n' },
  },
  {
    name: 'pure addition after a header',
    before: { 'f.txt': 'first\nanchor\nlast\n' },
    patch: wrap('*** Update File: f.txt\n@@ anchor\n+inserted\n'),
    after: { 'f.txt': 'first\nanchor\ninserted\nlast\n' },
  },
  {
    name: 'pure addition without a header appends',
    before: { 'f.txt': 'first\n' },
    patch: wrap('*** Update File: f.txt\n@@\n+second\n'),
    after: { 'f.txt': 'first\nsecond\n' },
  },
  {
    name: 'numbered unified header is tolerated',
    before: { 'f.txt': 'a\nb\n' },
    patch: wrap('*** Update File: f.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n'),
    after: { 'f.txt': 'a\nc\n' },
  },
  {
    name: 'unknown marker',
    before: { 'f.txt': 'a\n' },
    patch: wrap('*** Rename File: f.txt\n'),
    error: 'unknown marker',
  },
  {
    name: 'add line without +',
    before: {},
    patch: wrap('*** Add File: x.txt\n+ok\nnot ok\n'),
    error: "must start with '+'",
    errorLine: 'not ok',
  },
  {
    name: 'missing End Patch',
    before: {},
    patch: '*** Begin Patch\n*** Add File: x.txt\n+x\n',
    error: '*** End Patch',
  },
  {
    name: 'removing every line empties the file',
    before: { 'f.txt': 'a\nb\n' },
    patch: wrap('*** Update File: f.txt\n@@\n-a\n-b\n'),
    after: { 'f.txt': '' },
  },
  {
    name: 'hunks out of order are not found',
    before: { 'f.txt': 'a\nb\nc\nd\n' },
    patch: wrap('*** Update File: f.txt\n@@\n-c\n+C\n@@\n-a\n+A\n'),
    error: "no match for 'a'",
  },
  {
    name: 'the same file twice',
    before: { 'f.txt': 'a\n' },
    patch: wrap('*** Update File: f.txt\n@@\n-a\n+b\n*** Delete File: f.txt\n'),
    error: 'more than once',
  },
  {
    name: 'header not found',
    before: { 'f.txt': 'a\n' },
    patch: wrap('*** Update File: f.txt\n@@ def nowhere():\n-a\n+b\n'),
    error: "failed to find context 'def nowhere():'",
    errorLine: 'def nowhere():',
  },
  {
    name: 'header repeated as the first context line',
    before: { 'f.py': 'def a():\n    return 1\n' },
    patch: wrap('*** Update File: f.py\n@@ def a():\n def a():\n-    return 1\n+    return 2\n'),
    after: { 'f.py': 'def a():\n    return 2\n' },
  },
];
