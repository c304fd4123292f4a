import { isDynamic, shownWord } from '../parse/types.js';
import { dangerous, safe, unknown, type Classification } from './verdict.js';

/** What a sed script does besides printing. */
interface SedEffects {
  /** `e COMMAND` or the `e` flag of `s`: runs a shell command. */
  runs: boolean;
  /** `w FILE`, `W FILE` or the `w` flag of `s`. */
  writes: boolean;
  /** Something the reader below does not know: it could be either. */
  unreadable: boolean;
}

const SIMPLE_COMMANDS = new Set([...'=dDgGhHnNpPxzF{}']);

/**
 * Reads a sed script command by command (GNU syntax): addresses, then one command letter
 * and its arguments. Only what it runs or writes matters here, so text arguments are skipped.
 */
function sedEffects(script: string): SedEffects {
  const effects: SedEffects = { runs: false, writes: false, unreadable: false };
  let p = 0;
  const at = () => script[p] ?? '';
  const toLineEnd = () => {
    while (p < script.length && script[p] !== '\n') p += 1;
  };
  const toCommandEnd = () => {
    while (p < script.length && !';\n}'.includes(script[p]!)) p += 1;
  };
  // Reads a delimited part (`/re/`, or `s`'s pattern and replacement); false when it never closes.
  const delimited = (delimiter: string): boolean => {
    while (p < script.length) {
      const ch = script[p]!;
      if (ch === '\\') p += 2;
      else if (ch === delimiter) {
        p += 1;
        return true;
      } else p += 1;
    }
    return false;
  };
  const address = (): boolean => {
    const ch = at();
    if (/[0-9$]/.test(ch)) {
      while (/[0-9$~]/.test(at())) p += 1;
    } else if (ch === '/' || ch === '\\') {
      const delimiter = ch === '\\' ? (script[p + 1] ?? '') : '/';
      p += ch === '\\' ? 2 : 1;
      if (!delimited(delimiter)) return false;
      while (/[IM]/.test(at())) p += 1;
    } else if (ch === '+' || ch === '~') {
      p += 1;
      while (/[0-9]/.test(at())) p += 1;
    }
    return true;
  };
  while (p < script.length) {
    while (/[\s;]/.test(at())) p += 1;
    if (p >= script.length) break;
    if (!address()) return { ...effects, unreadable: true };
    while (at() === ' ') p += 1;
    if (at() === ',') {
      p += 1;
      while (at() === ' ') p += 1;
      if (!address()) return { ...effects, unreadable: true };
    }
    while (/[ !]/.test(at())) p += 1;
    const command = at();
    p += 1;
    if (SIMPLE_COMMANDS.has(command)) continue;
    switch (command) {
      case '#':
      case ':':
      case 'r':
      case 'R':
        toLineEnd();
        break;
      case 'a':
      case 'i':
      case 'c':
        // Text to the end of the line; a backslash at the end continues it on the next.
        while (p < script.length) {
          toLineEnd();
          if (script[p - 1] !== '\\') break;
          p += 1;
        }
        break;
      case 'w':
      case 'W':
        effects.writes = true;
        toLineEnd();
        break;
      case 'e':
        effects.runs = true;
        toLineEnd();
        break;
      case 'b':
      case 't':
      case 'T':
      case 'v':
      case 'q':
      case 'Q':
      case 'l':
      case 'L':
        toCommandEnd();
        break;
      case 's':
      case 'y': {
        const delimiter = at();
        if (delimiter === '' || delimiter === '\n' || delimiter === '\\') return { ...effects, unreadable: true };
        p += 1;
        if (!delimited(delimiter) || !delimited(delimiter)) return { ...effects, unreadable: true };
        if (command === 'y') break;
        while (/[gpiImMe0-9w]/.test(at())) {
          const flag = script[p++]!;
          if (flag === 'e') effects.runs = true;
          if (flag === 'w') {
            effects.writes = true;
            toLineEnd();
          }
        }
        break;
      }
      default:
        return { ...effects, unreadable: true };
    }
  }
  return effects;
}

/** GNU sed options: letters without a value, and those that take one. */
const SED_FLAGS = 'nErszub';
const SED_LONG = [
  '--quiet',
  '--silent',
  '--regexp-extended',
  '--separate',
  '--null-data',
  '--unbuffered',
  '--posix',
  '--debug',
  '--sandbox',
  '--follow-symlinks',
  '--binary',
];

export function classifySed(args: readonly string[]): Classification {
  const scripts: string[] = [];
  let inPlace = false;
  let fromFile = false;
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    // What follows -- is files to edit, which the script's effects below already cover.
    if (a === '--') break;
    if (a.startsWith('--')) {
      const [option, value] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      if (option === '--expression') scripts.push(value ?? args[++i] ?? '');
      else if (option === '--file') {
        fromFile = true;
        if (value === undefined) i += 1;
      } else if (option === '--in-place') inPlace = true;
      else if (option === '--line-length') {
        if (value === undefined) i += 1;
      } else if (!SED_LONG.includes(option)) return unknown(`sed option ${a} is not understood`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j += 1) {
        const letter = a[j]!;
        if (SED_FLAGS.includes(letter)) continue;
        if (letter === 'i') {
          inPlace = true; // the rest of the word is the backup suffix
          break;
        }
        if (letter === 'e' || letter === 'f' || letter === 'l') {
          const value = a.slice(j + 1) || (args[++i] ?? '');
          if (letter === 'e') scripts.push(value);
          if (letter === 'f') fromFile = true;
          break;
        }
        return unknown(`sed option -${letter} is not understood`);
      }
      continue;
    }
    if (scripts.length === 0 && !fromFile) scripts.push(a);
  }
  const effects = scripts.map(sedEffects);
  if (effects.some((e) => e.runs)) return dangerous('sed runs a shell command (the e command or the e flag of s)');
  if (effects.some((e) => e.unreadable)) return dangerous('cannot tell what this sed script does (it could run commands)');
  if (fromFile) return unknown('sed -f runs a script from a file');
  if (inPlace) return unknown('sed -i edits files in place');
  if (effects.some((e) => e.writes)) return unknown('sed w writes files');
  if (scripts.length === 0) return unknown('sed without a script');
  return safe('sed only prints');
}

/** awk options without a value, and those whose value is harmless. */
const AWK_FLAGS = new Set([
  '-b',
  '--characters-as-bytes',
  '-c',
  '--traditional',
  '-C',
  '--copyright',
  '-g',
  '--gen-pot',
  '-M',
  '--bignum',
  '-N',
  '--use-lc-numeric',
  '-n',
  '--non-decimal-data',
  '-O',
  '--optimize',
  '-P',
  '--posix',
  '-r',
  '--re-interval',
  '-s',
  '--no-optimize',
  '-S',
  '--sandbox',
  '-t',
  '--lint-old',
  '-V',
  '--version',
]);
const AWK_VALUES = new Set(['-F', '--field-separator', '-v', '--assign']);

/**
 * awk prints unless its program says otherwise: `system()`, a pipe to or from a command,
 * or a loaded extension run commands; `>` may write a file (or be a comparison, which is
 * not told apart here: the reading errs on the careful side).
 */
export function classifyAwk(name: string, args: readonly string[]): Classification {
  let program: string | null = null;
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (a === '--') {
      program ??= args[i + 1] ?? null;
      break;
    }
    const option = a.startsWith('--') && a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (AWK_FLAGS.has(option) || /^-[Fv]./.test(a) || option.startsWith('--lint') || option.startsWith('--dump-variables') || option.startsWith('--profile')) {
      if (option.startsWith('--dump-variables') || option.startsWith('--profile')) return unknown(`${name} ${option} writes a file`);
      continue;
    }
    if (AWK_VALUES.has(option)) {
      if (!a.includes('=') || !a.startsWith('--')) i += 1;
      continue;
    }
    if (['-l', '--load'].includes(option) || /^-l./.test(a)) return dangerous(`${name} -l loads a compiled extension`);
    if (['-f', '--file', '-E', '--exec', '-i', '--include'].includes(option) || /^-[fEi]./.test(a))
      return unknown(`${name} ${option} runs an awk program from a file`);
    if (['-e', '--source'].includes(option)) {
      program = (program ?? '') + (a.includes('=') ? a.slice(a.indexOf('=') + 1) : (args[++i] ?? ''));
      continue;
    }
    if (a.startsWith('-') && a !== '-') return unknown(`${name} option ${a} is not understood`);
    if (program !== null) continue; // a file to read, after an -e program
    program = a;
    break;
  }
  if (program === null) return unknown(`${name} without a program`);
  if (isDynamic(program)) return dangerous(`${name} runs a program only known when the script runs (${shownWord(program)})`);
  if (/\bsystem\s*\(/.test(program) || /(^|[^|])\|(?!\|)/.test(program) || program.includes('@load'))
    return dangerous(`${name} runs commands (system(), a pipe, or an extension)`);
  if (program.includes('>')) return unknown(`${name} may write files (print > file)`);
  return safe(`${name} only prints`);
}
