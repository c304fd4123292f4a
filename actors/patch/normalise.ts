/** Typographic punctuation models tend to substitute for ASCII, mapped back to ASCII. */
const PUNCTUATION: Record<string, string> = {
  '\u2010': '-', // hyphen
  '\u2011': '-', // non-breaking hyphen
  '\u2012': '-', // figure dash
  '\u2013': '-', // en dash
  '\u2014': '-', // em dash
  '\u2015': '-', // horizontal bar
  '\u2018': "'", // left single quote
  '\u2019': "'", // right single quote
  '\u201A': "'", // single low-9 quote
  '\u201B': "'", // single high-reversed-9 quote
  '\u201C': '"', // left double quote
  '\u201D': '"', // right double quote
  '\u201E': '"', // double low-9 quote
  '\u201F': '"', // double high-reversed-9 quote
  '\u00A0': ' ', // no-break space
  '\u202F': ' ', // narrow no-break space
  '\u2007': ' ', // figure space
};
const PUNCTUATION_RE = new RegExp(`[${Object.keys(PUNCTUATION).join('')}]`, 'g');

function normalisePunctuation(text: string): string {
  return text.replace(PUNCTUATION_RE, (ch) => PUNCTUATION[ch] ?? ch);
}

/**
 * How strictly lines are compared, loosest last: exact; ignoring trailing whitespace;
 * ignoring leading and trailing whitespace; and additionally with Unicode punctuation and
 * spaces folded to ASCII.
 */
export const STRICTNESS = ['exact', 'trailing-whitespace', 'whitespace', 'punctuation'] as const;
export type Strictness = (typeof STRICTNESS)[number];

export function normaliser(level: Strictness): (text: string) => string {
  switch (level) {
    case 'exact':
      return (text) => text;
    case 'trailing-whitespace':
      return (text) => text.trimEnd();
    case 'whitespace':
      return (text) => text.trim();
    case 'punctuation':
      return (text) => normalisePunctuation(text).trim();
  }
}
