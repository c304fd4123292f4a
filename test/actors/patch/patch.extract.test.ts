import { describe, expect, it } from 'vitest';
import { extractPatchFromCommand } from '../../../actors/patch/index.js';

const PATCH = '*** Begin Patch\n*** Delete File: x\n*** End Patch\n';

describe('extractPatchFromCommand', () => {
  it.each([
    ['quoted heredoc', `apply_patch <<'EOF'\n${PATCH}EOF`],
    ['bare heredoc', `apply_patch <<EOF\n${PATCH}EOF\n`],
    ['double-quoted heredoc', `apply_patch <<"EOF"\n${PATCH}EOF`],
    ['bash -lc with a heredoc', `bash -lc "apply_patch <<'EOF'\n${PATCH}EOF\n"`],
    ['bash -lc single-quoted', `bash -lc 'apply_patch <<"EOF"\n${PATCH}EOF'`],
    ['apply_patch with a quoted argument', `apply_patch '${PATCH}'`],
  ])('reads a string command: %s', (_name, cmd) => {
    expect(extractPatchFromCommand(cmd)).toBe(PATCH);
  });

  it.each([
    ['apply_patch argv', ['apply_patch', PATCH]],
    ['applypatch argv', ['applypatch', PATCH]],
    ['bash -lc argv', ['bash', '-lc', `apply_patch <<'EOF'\n${PATCH}EOF\n`]],
    ['/bin/bash -c argv', ['/bin/bash', '-c', `apply_patch <<EOF\n${PATCH}EOF`]],
    ['zsh -l -c argv', ['zsh', '-l', '-c', `apply_patch <<'EOF'\n${PATCH}EOF`]],
    ['single-element heredoc argv', [`apply_patch <<'EOF'\n${PATCH}EOF`]],
  ])('reads an argv: %s', (_name, argv) => {
    expect(extractPatchFromCommand(argv)).toBe(PATCH);
  });

  it.each([
    ['a plain command', 'ls -la'],
    ['a heredoc for something else', `cat <<'EOF'\n${PATCH}EOF`],
    ['a heredoc without its terminator', `apply_patch <<'EOF'\n${PATCH}`],
    ['commands after the heredoc', `apply_patch <<'EOF'\n${PATCH}EOF\nrm -rf x`],
    ['a raw patch', PATCH],
    ['an unterminated quote', `bash -lc "apply_patch`],
  ])('returns null for %s', (_name, cmd) => {
    expect(extractPatchFromCommand(cmd)).toBeNull();
  });

  it('returns null for argv that is not a patch call', () => {
    expect(extractPatchFromCommand(['bash', '-lc', 'echo hi'])).toBeNull();
    expect(extractPatchFromCommand(['apply_patch'])).toBeNull();
    expect(extractPatchFromCommand(['bash', 'script.sh'])).toBeNull();
    expect(extractPatchFromCommand([])).toBeNull();
  });
});
