/**
 * Splits a command line into words the way a POSIX shell would for simple cases:
 * whitespace separates words, single quotes keep everything literally, double quotes
 * keep everything but let a backslash escape `"`, `\`, `$` and a backquote, a backslash
 * outside quotes escapes the next character, and backslash-newline joins lines. No
 * expansion of any kind. Throws on an unterminated quote or a trailing backslash.
 */
export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
      continue;
    }
    inWord = true;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote in ${JSON.stringify(line)}`);
      word += line.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      i += 1;
      let closed = false;
      while (i < line.length) {
        const c = line[i]!;
        if (c === '"') {
          closed = true;
          i += 1;
          break;
        }
        if (c === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) {
          if (line[i + 1] !== '\n') word += line[i + 1];
          i += 2;
          continue;
        }
        word += c;
        i += 1;
      }
      if (!closed) throw new Error(`unterminated double quote in ${JSON.stringify(line)}`);
    } else if (ch === '\\') {
      if (i + 1 >= line.length) throw new Error(`trailing backslash in ${JSON.stringify(line)}`);
      if (line[i + 1] !== '\n') word += line[i + 1];
      i += 2;
    } else {
      word += ch;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return words;
}
