/**
 * Line diffing. `diffSequences` returns, for two sequences of ids, the pairs of indexes that
 * stay (a longest common subsequence in practice); everything else is deleted or inserted.
 *
 * Myers' O(ND) greedy algorithm finds a shortest edit script. It keeps one snapshot of the
 * furthest-reaching frontier per edit distance d (size 2d+1), so memory grows as D²; past
 * MAX_EDIT_DISTANCE the middle part is split at lines unique to both sides (patience style)
 * and each piece is diffed on its own, falling back to "replace the whole block" when no
 * anchors remain. That keeps pathological inputs (two unrelated large files) bounded.
 */
const MAX_EDIT_DISTANCE = 2000;

/** Pairs [indexInA, indexInB] of lines kept, in increasing order. */
export type Kept = Array<[number, number]>;

function myers(a: Int32Array, b: Int32Array, aStart: number, aEnd: number, bStart: number, bEnd: number, out: Kept): boolean {
  const n = aEnd - aStart;
  const m = bEnd - bStart;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let done = -1;
  for (let d = 0; d <= max && done < 0; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[aStart + x] === b[bStart + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        done = d;
        break;
      }
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  if (done < 0) return false;

  // Walk back from (n, m) through the snapshots, collecting diagonal moves.
  const kept: Kept = [];
  let x = n;
  let y = m;
  for (let d = done; d > 0; d--) {
    const prev = trace[d - 1]!; // index k + (d - 1)
    const k = x - y;
    const at = (kk: number): number => prev[kk + d - 1]!;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    const startX = down ? prevX : prevX + 1;
    while (x > startX) {
      x--;
      y--;
      kept.push([aStart + x, bStart + y]);
    }
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    kept.push([aStart + x, bStart + y]);
  }
  for (let i = kept.length - 1; i >= 0; i--) out.push(kept[i]!);
  return true;
}

/** Lines occurring exactly once in each range, paired, longest increasing run of them. */
function uniqueAnchors(a: Int32Array, b: Int32Array, aStart: number, aEnd: number, bStart: number, bEnd: number): Kept {
  const countA = new Map<number, number>();
  const countB = new Map<number, number>();
  const posB = new Map<number, number>();
  for (let i = aStart; i < aEnd; i++) countA.set(a[i]!, (countA.get(a[i]!) ?? 0) + 1);
  for (let j = bStart; j < bEnd; j++) {
    countB.set(b[j]!, (countB.get(b[j]!) ?? 0) + 1);
    posB.set(b[j]!, j);
  }
  const pairs: Kept = [];
  for (let i = aStart; i < aEnd; i++) {
    const id = a[i]!;
    if (countA.get(id) === 1 && countB.get(id) === 1) pairs.push([i, posB.get(id)!]);
  }
  // Longest increasing subsequence on the b side (patience sorting).
  const tails: number[] = [];
  const back = new Int32Array(pairs.length).fill(-1);
  for (let p = 0; p < pairs.length; p++) {
    const value = pairs[p]![1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pairs[tails[mid]!]![1] < value) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) back[p] = tails[lo - 1]!;
    tails[lo] = p;
  }
  const chain: Kept = [];
  for (let p = tails.length > 0 ? tails[tails.length - 1]! : -1; p >= 0; p = back[p]!) chain.push(pairs[p]!);
  return chain.reverse();
}

function diffRange(a: Int32Array, b: Int32Array, aStart: number, aEnd: number, bStart: number, bEnd: number, out: Kept, depth: number): void {
  // Common prefix and suffix never need the expensive search.
  while (aStart < aEnd && bStart < bEnd && a[aStart] === b[bStart]) out.push([aStart++, bStart++]);
  const suffix: Kept = [];
  while (aEnd > aStart && bEnd > bStart && a[aEnd - 1] === b[bEnd - 1]) suffix.push([--aEnd, --bEnd]);
  if (aStart < aEnd && bStart < bEnd && !myers(a, b, aStart, aEnd, bStart, bEnd, out)) {
    const anchors = depth < 8 ? uniqueAnchors(a, b, aStart, aEnd, bStart, bEnd) : [];
    let i = aStart;
    let j = bStart;
    for (const [ai, bj] of anchors) {
      diffRange(a, b, i, ai, j, bj, out, depth + 1);
      out.push([ai, bj]);
      i = ai + 1;
      j = bj + 1;
    }
    if (anchors.length > 0) diffRange(a, b, i, aEnd, j, bEnd, out, depth + 1);
  }
  for (let s = suffix.length - 1; s >= 0; s--) out.push(suffix[s]!);
}

/** The kept line pairs between two sequences of line ids. */
export function diffSequences(a: Int32Array, b: Int32Array): Kept {
  const out: Kept = [];
  diffRange(a, b, 0, a.length, 0, b.length, out, 0);
  return out;
}

/** Maps lines to small integer ids so the diff compares numbers rather than strings. */
export function lineIds(aLines: readonly string[], bLines: readonly string[]): [Int32Array, Int32Array] {
  const ids = new Map<string, number>();
  const encode = (lines: readonly string[]): Int32Array => {
    const out = new Int32Array(lines.length);
    lines.forEach((line, index) => {
      let id = ids.get(line);
      if (id === undefined) {
        id = ids.size;
        ids.set(line, id);
      }
      out[index] = id;
    });
    return out;
  };
  return [encode(aLines), encode(bLines)];
}
