/** Small helpers for looking at command-line options the way GNU tools read them. */

/** The words before a `--` end-of-options marker (all words when there is none). */
export function beforeDoubleDash(args: readonly string[]): string[] {
  const end = args.indexOf('--');
  return end < 0 ? [...args] : args.slice(0, end);
}

/** Whether a word is a cluster of short options such as `-rf` (not `-` and not `--x`). */
export function isShortCluster(word: string): boolean {
  return word.length > 1 && word.startsWith('-') && !word.startsWith('--');
}

/**
 * Whether any short-option cluster before `--` holds one of the letters. Values glued to
 * an option (`-n5`) are read as letters too, which can only make a check stricter.
 */
export function hasShortFlag(args: readonly string[], letters: string): boolean {
  return beforeDoubleDash(args).some((a) => isShortCluster(a) && [...a.slice(1)].some((ch) => letters.includes(ch)));
}

/** Whether a long option appears before `--`, alone or as `--name=value`. */
export function hasLongFlag(args: readonly string[], ...names: string[]): boolean {
  return beforeDoubleDash(args).some((a) => names.some((n) => a === n || a.startsWith(`${n}=`)));
}

/** `NAME=value` as a shell assignment word. */
export function isAssignment(word: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*=/.test(word);
}

/**
 * Variables that change what a program loads or runs (preloads, search paths, pagers,
 * editors, hooks). Setting one in front of a "safe" command makes it no longer safe.
 */
export function isRiskyVariable(assignment: string): boolean {
  const name = assignment.slice(0, assignment.indexOf('='));
  return (
    /^(LD_|DYLD_|GIT_)/.test(name) ||
    [
      'PATH',
      'BASH_ENV',
      'ENV',
      'PAGER',
      'MANPAGER',
      'EDITOR',
      'VISUAL',
      'PYTHONPATH',
      'PYTHONSTARTUP',
      'NODE_OPTIONS',
      'PERL5OPT',
      'PERL5LIB',
      'RUBYOPT',
      'IFS',
      'PS4',
      'PROMPT_COMMAND',
      'SHELLOPTS',
      'LESSOPEN',
    ].includes(name)
  );
}

/**
 * The values given to short options that take one, before `--`: `-o X`, `-oX` and `-vo X`
 * all give `o` the value X. `valueLetters` lists every letter of the tool that takes a value,
 * so that a value glued to another option (`-lroot`) is not read as more options.
 */
export function shortOptionValues(args: readonly string[], valueLetters: string): Array<[letter: string, value: string]> {
  const found: Array<[string, string]> = [];
  const words = beforeDoubleDash(args);
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    if (!isShortCluster(word)) continue;
    for (let j = 1; j < word.length; j += 1) {
      const letter = word[j]!;
      if (!valueLetters.includes(letter)) continue;
      const glued = word.slice(j + 1);
      found.push([letter, glued !== '' ? glued : (words[++i] ?? '')]);
      break;
    }
  }
  return found;
}
