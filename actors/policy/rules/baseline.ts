import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { parseRuleFile, readRuleFiles, rulesOf, type LoadRulesOptions, type ReadRuleFile, type RuleFilter } from './rule.file.js';
import type { Rule, RuleFileError } from './types.js';

const digest = (text: string | null): string => (text === null ? '(unreadable)' : createHash('sha256').update(text).digest('hex'));
const tightening = (rules: readonly Rule[]): Rule[] => rules.filter((rule) => rule.decision !== 'allow');

interface Known {
  digest: string;
  /** Its forbidden and prompt rules, which keep applying whatever becomes of the file. */
  tightening: Rule[];
}

/**
 * The rule files of a thread as they were when it started. Rules are read at every check,
 * and a command the user approved (or any command under danger-full-access) could write a
 * rule file: a file that appears, changes or goes away during the thread, other than by an
 * amendment the user accepted, can only tighten the policy until the next thread. Its allow
 * rules are ignored; its forbidden and prompt rules, and those it had at the start, apply.
 * Each problem is reported once per thread.
 */
export class RuleBaseline implements RuleFilter {
  private readonly known = new Map<string, Known>();
  private readonly reported = new Set<string>();

  /** Remembers the rule files as they are now. */
  async capture(options: LoadRulesOptions): Promise<void> {
    for (const read of await readRuleFiles(options)) this.known.set(read.file, { digest: digest(read.text), tightening: tightening(rulesOf(read)) });
  }

  /**
   * statecraft itself changed `file` from `before` to `after` (an amendment the user
   * accepted). Only a file nobody else touched since the start becomes known again.
   */
  accept(file: string, before: string | null, after: string): void {
    const known = this.known.get(file);
    if (known ? known.digest !== digest(before) : before !== null) return;
    const parsed = parseRuleFile(file, after);
    this.known.set(file, { digest: digest(after), tightening: tightening(parsed.ok ? parsed.rules : parsed.salvaged) });
  }

  filter(files: readonly ReadRuleFile[], dirs: readonly string[]): { rules: Rule[]; notices: RuleFileError[] } {
    const rules: Rule[] = [];
    const notices: RuleFileError[] = [];
    const seen = new Set<string>();
    for (const read of files) {
      seen.add(read.file);
      const known = this.known.get(read.file);
      if (known?.digest === digest(read.text)) {
        rules.push(...rulesOf(read));
        continue;
      }
      rules.push(...tightening(rulesOf(read)), ...(known?.tightening ?? []));
      notices.push(notice(read.file, known ? 'changed' : 'appeared', 'its allow rules do not apply in this thread; its forbidden and prompt rules do'));
    }
    for (const [file, known] of this.known) {
      if (seen.has(file) || !dirs.includes(dirname(file))) continue;
      rules.push(...known.tightening);
      notices.push(notice(file, 'was removed', 'the forbidden and prompt rules it had still apply in this thread'));
    }
    return { rules, notices };
  }

  /** Whether a problem is new to this thread; each is reported once. */
  firstReport(error: RuleFileError): boolean {
    const key = `${error.file}\u0000${error.message}`;
    if (this.reported.has(key)) return false;
    this.reported.add(key);
    return true;
  }
}

function notice(file: string, what: string, effect: string): RuleFileError {
  return {
    file,
    message: `${file} ${what} during this thread, and not through an amendment you accepted`,
    fix: 'Check the file; its allow rules apply from the next thread on.',
    effect,
    lost: false,
    line: null,
    column: null,
  };
}
