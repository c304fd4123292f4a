import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadBashParser } from '../../../../actors/policy/parse/index.js';
import {
  evaluateCommand,
  splitShellWords,
  type EvaluateInput,
  type ParsedScript,
  type ScriptCommand,
  type ShellOperator,
} from '../../../../actors/policy/rules/index.js';

/** The real bash parser, for the code that commands run (`sh -c CODE`). */
export const parser = await loadBashParser();

/** Evaluates a script with no rules, under on-request in a workspace-write sandbox that works; `over` changes any of it. */
export const evaluate = (parsed: ParsedScript, over: Partial<EvaluateInput> = {}) =>
  evaluateCommand({
    parsed,
    rules: [],
    parser,
    approvalPolicy: 'on-request',
    sandboxMode: 'workspace-write',
    escalationRequested: false,
    sandboxAvailable: true,
    sessionGranted: false,
    ...over,
  });

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'statecraft-rules-'));
}

export async function writeText(file: string, text: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text, 'utf8');
  return file;
}

/** One simple command as the parser would hand it over. */
export function plain(line: string): ParsedScript {
  return { kind: 'plain', commands: [{ argv: splitShellWords(line), text: line }], operators: [] };
}

/**
 * A plain script from a line whose operators are separated by spaces, e.g.
 * `curl x | sh && ls` (a hand-made stand-in for the real parser).
 */
export function script(line: string): ParsedScript {
  const ops: ShellOperator[] = ['&&', '||', ';', '|'];
  const words = splitShellWords(line);
  const commands: ScriptCommand[] = [];
  const operators: ShellOperator[] = [];
  let current: string[] = [];
  const flush = () => {
    commands.push({ argv: current, text: current.join(' '), ...(operators.at(-1) === '|' ? { stdin: { kind: 'pipe' as const } } : {}) });
    current = [];
  };
  for (const w of words) {
    if ((ops as string[]).includes(w)) {
      flush();
      operators.push(w as ShellOperator);
    } else current.push(w);
  }
  flush();
  return { kind: 'plain', commands, operators };
}

export const complex = (...reasons: string[]): ParsedScript => ({ kind: 'complex', reasons, commands: [], unresolved: [] });
