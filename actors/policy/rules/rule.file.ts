import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import * as z from 'zod';
import { findProjectRoot } from '../../config/index.js';
import { describePattern, patternMatches } from './match.js';
import { splitShellWords } from './shellwords.js';
import type { Rule, RuleFileError } from './types.js';

const Word = z.string().min(1, 'must not be empty');
const Token = z.union([Word, z.array(Word).min(1, 'a list of alternatives needs at least one entry')]);
const Example = z.union([z.string().min(1, 'must not be empty'), z.array(z.string()).min(1, 'must not be empty')]);

/** One `[[rule]]` entry. Unknown keys are rejected: a typo must not weaken a rule silently. */
const RuleEntry = z.strictObject({
  pattern: z.array(Token).min(1, 'a pattern needs at least one token'),
  decision: z.enum(['allow', 'prompt', 'forbidden']),
  justification: z.string().optional(),
  match: z.array(Example).optional(),
  not_match: z.array(Example).optional(),
});

const RuleFileSchema = z.strictObject({
  rule: z.array(RuleEntry).optional(),
});

type RuleEntry = z.infer<typeof RuleEntry>;

/** A file's rules, or what is wrong with it and the stricter rules that could still be read from it. */
export type RuleFileResult = { ok: true; rules: Rule[] } | { ok: false; error: RuleFileError; salvaged: Rule[] };

const FIX_GENERAL = 'Fix the file; until then its allow rules do not apply.';

/** The text and, when it is valid TOML, the data of the file that failed; null when it could not be read. */
type Source = { text: string; data?: unknown } | null;

function failure(file: string, source: Source, message: string, fix: string, line: number | null = null, column: number | null = null): RuleFileResult {
  const { salvaged, lost } = source === null ? { salvaged: [], lost: true } : salvage(file, source);
  const kept =
    salvaged.length === 0 ? '' : `its ${salvaged.length} forbidden and prompt rule${salvaged.length === 1 ? '' : 's'} that can be read still apply; `;
  const effect = lost
    ? `until it is fixed, ${kept}some of its rules cannot be read, so every command not known to be read-only is asked about`
    : `until it is fixed, ${kept}its allow rules do not apply`;
  return { ok: false, error: { file, message, fix, effect, lost, line, column }, salvaged };
}

const Pattern = z.array(Token).min(1);

/**
 * What a broken file would have forbidden or asked about, read rule by rule: a rule whose
 * pattern can be read keeps a forbidden or prompt decision (an unreadable decision counts
 * as prompt); its allow rules are dropped; a rule whose pattern cannot be read, unless it
 * plainly says allow, is lost, and so is anything outside the rules that does not parse.
 */
function salvage(file: string, source: { text: string; data?: unknown }): { salvaged: Rule[]; lost: boolean } {
  const salvaged: Rule[] = [];
  let lost = false;
  let index = 0;
  const take = (fields: Record<string, unknown>) => {
    index += 1;
    const pattern = Pattern.safeParse(fields['pattern']);
    const decision = fields['decision'];
    if (!pattern.success) {
      lost ||= decision !== 'allow';
      return;
    }
    if (decision === 'allow') return;
    const justification = typeof fields['justification'] === 'string' ? fields['justification'] : null;
    salvaged.push({ pattern: pattern.data, decision: decision === 'forbidden' ? 'forbidden' : 'prompt', justification, file, index });
  };
  // Any table with a pattern or a decision is taken for a rule, wherever it sits (`[[rules]]` is a typo of `[[rule]]`).
  const takeAll = (data: unknown) => {
    for (const value of Object.values(typeof data === 'object' && data !== null ? data : {})) {
      for (const entry of Array.isArray(value) ? value : [value]) {
        if (typeof entry === 'object' && entry !== null && ('pattern' in entry || 'decision' in entry)) take(entry as Record<string, unknown>);
      }
    }
  };
  if (source.data !== undefined) {
    takeAll(source.data);
    return { salvaged, lost };
  }
  // Not valid TOML: read each `[[rule]]` block on its own, so one bad block spoils only itself.
  const blocks = source.text.split(/^(?=[ \t]*\[\[[ \t]*rules?[ \t]*\]\])/m);
  for (const block of blocks) {
    let data: unknown;
    try {
      data = parseToml(block);
    } catch {
      const meaningful = block.split('\n').some((line) => !/^\s*(#.*)?$/.test(line));
      if (meaningful && /^\s*\[\[/.test(block)) index += 1;
      const saysAllow = /^\s*decision\s*=\s*["']allow["']/m.test(block) && !/forbidden|prompt/.test(block);
      lost ||= meaningful && !saysAllow;
      continue;
    }
    takeAll(data);
  }
  return { salvaged, lost };
}

/** A zod path such as ['rule', 2, 'pattern'] as the user would write it: `rule[3].pattern`. */
function keyOf(path: readonly PropertyKey[]): string {
  let key = '';
  for (const part of path) {
    if (typeof part === 'number') key += `[${part + 1}]`;
    else key += key === '' ? String(part) : `.${String(part)}`;
  }
  return key === '' ? '(top level)' : key;
}

function exampleArgv(example: string | string[]): string[] {
  return typeof example === 'string' ? splitShellWords(example) : example;
}

/** An example as written in the file: a quoted string, or a JSON-style list of words. */
function showExample(example: string | string[]): string {
  return JSON.stringify(example);
}

/** Checks a rule's `match` / `not_match` examples; returns a message for the first that fails. */
function checkExamples(entry: RuleEntry, where: string): { message: string; fix: string } | null {
  const pattern = describePattern(entry.pattern);
  for (const [list, shouldMatch] of [
    [entry.match ?? [], true],
    [entry.not_match ?? [], false],
  ] as const) {
    for (const example of list) {
      let argv: string[];
      try {
        argv = exampleArgv(example);
      } catch (error) {
        return {
          message: `${where} (pattern ${pattern}): ${shouldMatch ? 'match' : 'not_match'} example ${showExample(example)} cannot be split into words: ${(error as Error).message}`,
          fix: 'Close the quote in the example, or write the example as a list of words.',
        };
      }
      if (patternMatches(entry.pattern, argv) !== shouldMatch) {
        return {
          message: shouldMatch
            ? `${where} (pattern ${pattern}): match example ${showExample(example)} does not match the pattern`
            : `${where} (pattern ${pattern}): not_match example ${showExample(example)} matches the pattern`,
          fix: "Correct the pattern or the example; the file's allow rules do not apply until they agree.",
        };
      }
    }
  }
  return null;
}

/**
 * Reads the text of one rule file. Either every rule in it is returned, or an error naming
 * the file and the problem, with only the forbidden and prompt rules that can still be read:
 * a broken file never loosens the policy.
 */
export function parseRuleFile(file: string, text: string): RuleFileResult {
  let data: unknown;
  try {
    data = parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const first = error.message.split('\n')[0] ?? error.message;
      return failure(
        file,
        { text },
        `${file}:${error.line}:${error.column}: invalid TOML: ${first}`,
        `Correct the TOML syntax at line ${error.line}, column ${error.column}. ${FIX_GENERAL}`,
        error.line,
        error.column,
      );
    }
    return failure(file, { text }, `${file}: invalid TOML: ${String(error)}`, FIX_GENERAL);
  }

  const checked = RuleFileSchema.safeParse(data);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      const inside = issue.path.length === 0 ? 'at the top level' : `in ${keyOf(issue.path)}`;
      return failure(
        file,
        { text, data },
        `${file}: unknown key ${keys} ${inside}`,
        issue.path.length === 0
          ? `Rules go in [[rule]] tables; remove or rename ${keys}. ${FIX_GENERAL}`
          : `A rule may only have pattern, decision, justification, match and not_match; remove or rename ${keys}. ${FIX_GENERAL}`,
      );
    }
    return failure(file, { text, data }, `${file}: ${keyOf(issue.path)}: ${issue.message}`, `${describeExpectation(issue.path)} ${FIX_GENERAL}`);
  }

  const entries = checked.data.rule ?? [];
  const rules: Rule[] = [];
  for (const [i, entry] of entries.entries()) {
    const where = `${file}: rule ${i + 1}`;
    const problem = checkExamples(entry, where);
    if (problem) return failure(file, { text, data }, problem.message, problem.fix);
    rules.push({ pattern: entry.pattern, decision: entry.decision, justification: entry.justification ?? null, file, index: i + 1 });
  }
  return { ok: true, rules };
}

function describeExpectation(path: readonly PropertyKey[]): string {
  const last = [...path].reverse().find((p) => typeof p === 'string');
  switch (last) {
    case 'pattern':
      return 'pattern must be a list whose items are strings or lists of alternative strings, e.g. pattern = ["git", ["status", "log"]].';
    case 'decision':
      return 'decision must be "allow", "prompt" or "forbidden".';
    case 'justification':
      return 'justification must be a string.';
    case 'match':
    case 'not_match':
      return `${last} must be a list of example commands, each a string or a list of words.`;
    case 'rule':
      return 'Rules are written as [[rule]] tables.';
    default:
      return 'Check the value against the rule file format.';
  }
}

/** One rule file as read from disk: its text (null when it could not be read) and what it gives. */
export interface ReadRuleFile {
  file: string;
  text: string | null;
  result: RuleFileResult;
}

/** Reads and checks one rule file from disk. */
async function readRuleFile(file: string): Promise<ReadRuleFile> {
  try {
    const text = await readFile(file, 'utf8');
    return { file, text, result: parseRuleFile(file, text) };
  } catch (error) {
    return { file, text: null, result: failure(file, null, `${file}: cannot be read: ${(error as Error).message}`, 'Make the file readable, or remove it.') };
  }
}

/** The rules a file as read contributes: all of them, or what could be salvaged from a broken one. */
export const rulesOf = ({ result }: ReadRuleFile): Rule[] => (result.ok ? result.rules : result.salvaged);

/** The `*.toml` files directly in a folder, sorted by name; none when the folder is missing. */
async function tomlFilesIn(dir: string): Promise<string[]> {
  let names: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries.filter((e) => e.name.endsWith('.toml') && (e.isFile() || e.isSymbolicLink())).map((e) => e.name);
  } catch {
    return [];
  }
  return names.sort().map((name) => join(dir, name));
}

export interface LoadRulesOptions {
  /** The statecraft home (rules live in `<home>/rules/`). */
  home: string;
  /** The project root; its `.statecraft/rules/` is read only when the project is trusted. */
  projectRoot: string | null;
  projectTrusted: boolean;
}

/** Where the rules for commands run in `cwd` come from. */
export async function ruleSources(home: string, cwd: string, projectTrusted: boolean): Promise<LoadRulesOptions> {
  return { home, projectRoot: await findProjectRoot(cwd), projectTrusted };
}

/** The rules folders in load order. */
function ruleDirectories({ home, projectRoot, projectTrusted }: LoadRulesOptions): string[] {
  const dirs = [join(home, 'rules')];
  if (projectTrusted && projectRoot !== null) dirs.push(join(projectRoot, '.statecraft', 'rules'));
  return dirs;
}

/** Every rule file in the rules folders, in load order. */
export async function readRuleFiles(options: LoadRulesOptions): Promise<ReadRuleFile[]> {
  const read: ReadRuleFile[] = [];
  for (const dir of ruleDirectories(options)) for (const file of await tomlFilesIn(dir)) read.push(await readRuleFile(file));
  return read;
}

/** What the rules folders hold for files as they were when the thread started (see RuleBaseline). */
export interface RuleFilter {
  filter(files: readonly ReadRuleFile[], dirs: readonly string[]): { rules: Rule[]; notices: RuleFileError[] };
}

/**
 * Loads every rule file: the user's (`<home>/rules/*.toml`) and, for a trusted project,
 * the project's (`<projectRoot>/.statecraft/rules/*.toml`), each folder sorted by name.
 * A file with any problem is reported in `errors` and contributes only the forbidden and
 * prompt rules that can still be read from it. With a baseline, files written since the
 * thread started only tighten the policy, and are reported too.
 */
export async function loadRules(options: LoadRulesOptions & { baseline?: RuleFilter | null }): Promise<{ rules: Rule[]; errors: RuleFileError[] }> {
  const files = await readRuleFiles(options);
  const errors = files.flatMap(({ result }) => (result.ok ? [] : [result.error]));
  if (!options.baseline) return { rules: files.flatMap(rulesOf), errors };
  const { rules, notices } = options.baseline.filter(files, ruleDirectories(options));
  return { rules, errors: [...errors, ...notices] };
}
