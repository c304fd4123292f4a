import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { parseRuleFile } from './rule.file.js';

const HEADER = `# statecraft exec policy rules.
#
# Rules are added here when you approve a command and choose to allow commands that
# start the same way from now on. Each [[rule]] has:
#   pattern       = the words a command must start with; a word may be a list of
#                   alternatives, e.g. ["git", ["status", "log"]]
#   decision      = "allow" (run without the sandbox), "prompt" (always ask) or
#                   "forbidden" (never run)
#   justification = (optional) why, shown when the rule applies
#   match / not_match = (optional) example commands checked when the file loads
# You can edit or delete entries. While a file has an error its allow rules do not
# apply (its forbidden and prompt rules still do).
`;

/** The file amendments go to. */
function defaultRulesFile(home: string): string {
  return join(home, 'rules', 'default.toml');
}

/** What an amendment did to the rule file: its text before (null when it did not exist) and after. */
export interface Amended {
  file: string;
  before: string | null;
  after: string;
}

/**
 * Stores an approved command prefix as an allow rule: appends a `[[rule]]` to
 * `<home>/rules/default.toml` (created with an explanatory header when missing), leaving
 * the rest of the file as it is. Throws when the prefix is empty or the file exists but is
 * invalid (the new rule would not take effect until it is fixed).
 */
export async function appendAllowRule(home: string, prefix: readonly string[]): Promise<Amended> {
  if (prefix.length === 0 || prefix.some((w) => typeof w !== 'string' || w === ''))
    throw new Error('an allow rule needs a non-empty prefix of non-empty words');
  const file = defaultRulesFile(home);
  await mkdir(join(home, 'rules'), { recursive: true });

  let before: string | null;
  try {
    before = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    before = null;
  }

  let existing = before;
  if (existing === null) {
    await writeFile(file, HEADER, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error; // someone created it meanwhile: just append
    });
    existing = HEADER;
  } else {
    const current = parseRuleFile(file, existing);
    if (!current.ok) throw new Error(`${current.error.message} (not adding the rule for ${JSON.stringify(prefix)}; ${current.error.fix})`);
    const same = current.rules.some((r) => r.decision === 'allow' && r.pattern.length === prefix.length && r.pattern.every((t, i) => t === prefix[i]));
    if (same) return { file, before, after: existing };
  }

  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  const entry = `${separator}\n[[rule]]\n${stringify({ pattern: [...prefix], decision: 'allow' })}`;
  await appendFile(file, entry, 'utf8');
  return { file, before, after: existing + entry };
}
