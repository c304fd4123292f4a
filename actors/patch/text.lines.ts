/** A file's text as lines, plus what is needed to write it back the same way. */
export type FileLines = {
  lines: string[];
  /** The line ending the file uses: CRLF when its first line break is CRLF. */
  eol: '\n' | '\r\n';
  /** The last line is terminated (an empty file counts as terminated). */
  trailingNewline: boolean;
};

export function splitFile(content: string): FileLines {
  const firstBreak = content.indexOf('\n');
  const eol = firstBreak > 0 && content[firstBreak - 1] === '\r' ? '\r\n' : '\n';
  if (content === '') return { lines: [], eol, trailingNewline: true };
  const lines = content.split('\n');
  const trailingNewline = lines[lines.length - 1] === '';
  if (trailingNewline) lines.pop();
  if (eol === '\r\n') {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
    }
  }
  return { lines, eol, trailingNewline };
}

export function joinFile(file: FileLines): string {
  if (file.lines.length === 0) return '';
  const body = file.lines.join(file.eol);
  return file.trailingNewline ? body + file.eol : body;
}
