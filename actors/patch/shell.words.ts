/**
 * A small POSIX-ish word splitter, enough to read `bash -lc "..."` and `apply_patch '...'`
 * command strings. It honours single quotes, double quotes (with \" \\ \$ \` and
 * backslash-newline escapes) and bare backslashes. It returns null for anything it does not
 * understand (unterminated quotes), so callers fall back to "not a patch command".
 */
export function splitShellWords(input: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (ch === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) return null;
      word += input.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (ch === '"') {
      i++;
      let closed = false;
      while (i < input.length) {
        const c = input[i]!;
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === '\\' && i + 1 < input.length) {
          const next = input[i + 1]!;
          if (next === '\n') {
            i += 2;
            continue;
          }
          if (next === '"' || next === '\\' || next === '$' || next === '`') {
            word += next;
            i += 2;
            continue;
          }
        }
        word += c;
        i++;
      }
      if (!closed) return null;
      continue;
    }
    if (ch === '\\' && i + 1 < input.length) {
      const next = input[i + 1]!;
      if (next !== '\n') word += next;
      i += 2;
      continue;
    }
    word += ch;
    i++;
  }
  if (inWord) words.push(word);
  return words;
}
