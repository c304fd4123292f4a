import { normaliser, STRICTNESS, type Strictness } from './normalise.js';

/** Where a run of lines was found, or why it was not. */
export type SeekResult =
  | { found: true; index: number; strictness: Strictness }
  | { found: false; ambiguous: true; indexes: [number, number]; strictness: Strictness }
  | { found: false; ambiguous: false; /** Index (in the pattern) of the first line no candidate matched. */ failedAt: number };

/** First index >= from in a sorted array of positions. */
function lowerBound(sorted: number[], from: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type Level = { lines: string[]; positions: Map<string, number[]> };

/**
 * A file's lines, normalised and indexed lazily at each strictness level, so that many hunks
 * can be located in a large file without rescanning it line by line for each one.
 */
export class LineIndex {
  private readonly levels = new Map<Strictness, Level>();

  constructor(readonly lines: readonly string[]) {}

  private level(strictness: Strictness): Level {
    let level = this.levels.get(strictness);
    if (level === undefined) {
      const normalise = normaliser(strictness);
      const lines = strictness === 'exact' ? [...this.lines] : this.lines.map(normalise);
      const positions = new Map<string, number[]>();
      lines.forEach((line, index) => {
        const list = positions.get(line);
        if (list === undefined) positions.set(line, [index]);
        else list.push(index);
      });
      level = { lines, positions };
      this.levels.set(strictness, level);
    }
    return level;
  }

  /** How many leading lines of `pattern` match the file at `at`. */
  private prefixAt(level: Level, pattern: string[], at: number): number {
    let k = 0;
    while (k < pattern.length && at + k < level.lines.length && level.lines[at + k] === pattern[k]) k++;
    return k;
  }

  /** Index of the first line at or after `from` equal to `text`, trying each strictness in turn. */
  findLine(text: string, from: number): number | null {
    for (const strictness of STRICTNESS) {
      const list = this.level(strictness).positions.get(normaliser(strictness)(text));
      if (list === undefined) continue;
      const at = lowerBound(list, from);
      if (at < list.length) return list[at]!;
    }
    return null;
  }

  /** Does `pattern` sit at exactly `at`, at some strictness? */
  matchAt(pattern: string[], at: number): Strictness | null {
    if (at < 0 || at + pattern.length > this.lines.length) return null;
    for (const strictness of STRICTNESS) {
      const normalise = normaliser(strictness);
      const normalised = pattern.map(normalise);
      if (this.prefixAt(this.level(strictness), normalised, at) === pattern.length) return strictness;
    }
    return null;
  }

  /**
   * Finds `pattern` (non-empty) at or after `from`. At the strictest level where it occurs,
   * one occurrence is a match and two or more are ambiguous unless `firstWins`.
   */
  seek(pattern: string[], from: number, firstWins: boolean): SeekResult {
    let bestPrefix = 0;
    for (const strictness of STRICTNESS) {
      const level = this.level(strictness);
      const normalised = pattern.map(normaliser(strictness));
      const candidates = level.positions.get(normalised[0]!) ?? [];
      const hits: number[] = [];
      for (let c = lowerBound(candidates, from); c < candidates.length; c++) {
        const at = candidates[c]!;
        const prefix = this.prefixAt(level, normalised, at);
        if (prefix === pattern.length) {
          hits.push(at);
          if (firstWins || hits.length === 2) break;
        } else if (prefix > bestPrefix) {
          bestPrefix = prefix;
        }
      }
      if (hits.length === 1) return { found: true, index: hits[0]!, strictness };
      if (hits.length >= 2) return { found: false, ambiguous: true, indexes: [hits[0]!, hits[1]!], strictness };
    }
    return { found: false, ambiguous: false, failedAt: bestPrefix };
  }
}
