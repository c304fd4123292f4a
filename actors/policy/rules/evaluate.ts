import type { ApprovalPolicy, SandboxMode } from '../../../protocol/index.js';
import { quote as shellWord } from '../parse/shell.js';
import { shownWord, type BashParser, type SimpleCommand } from '../parse/types.js';
import { amendmentPrefix } from './amendment.prefix.js';
import { classifyCommand } from './heuristics.js';
import { describePattern, findRule } from './match.js';
import type { ParsedScript, PatternToken, Rule } from './types.js';

export type EvaluationDecision = 'allow-unsandboxed' | 'run-sandboxed' | 'ask' | 'forbidden';
type PartDecision = 'allow' | 'prompt' | 'forbidden' | 'safe' | 'dangerous' | 'unknown';

export interface EvaluatedPart {
  argv: string[];
  text: string;
  source: 'rule' | 'heuristic';
  decision: PartDecision;
  rule?: { file: string; index: number; pattern: PatternToken[]; justification: string | null };
  /** Why this part got its decision, in a few words. */
  why: string;
  /** The command that runs this one, when it is not a command of the script itself (`xargs rm` runs `rm`). */
  within?: string;
}

export interface Evaluation {
  decision: EvaluationDecision;
  parts: EvaluatedPart[];
  reason: string;
  proposedAmendment: string[] | null;
  /** For 'ask': where the command runs once approved. Null otherwise. */
  modeAfterApproval: 'sandboxed' | 'escalated' | null;
}

export interface EvaluateInput {
  parsed: ParsedScript;
  rules: readonly Rule[];
  /** Reads the shell code that commands run (`sh -c CODE`, `eval CODE`, `xargs sh -c CODE`). */
  parser: BashParser;
  approvalPolicy: ApprovalPolicy;
  sandboxMode: SandboxMode;
  /** The model asked to run outside the sandbox. */
  escalationRequested: boolean;
  /** Whether commands can be confined here (bubblewrap works). */
  sandboxAvailable: boolean;
  /** The user accepted this exact command for the session earlier. */
  sessionGranted: boolean;
  /** The shell the script would run through, when it is not one the policy knows (see shellProblem). */
  unknownShell?: { program: string; why: string } | null;
  /**
   * Set while a rule file cannot be read in full (what, for messages): a rule it holds might
   * forbid any command, so until it is fixed everything not known to be read-only asks.
   */
  brokenRules?: string | null;
}

const STRICTNESS: Record<PartDecision, number> = { allow: 0, safe: 0, unknown: 1, dangerous: 2, prompt: 2, forbidden: 3 };

/** How deep commands may run other commands (`sh -c "xargs sh -c ..."`) before we stop reading. */
const MAX_DEPTH = 8;

/** Judges a script's commands, and everything they run in turn, into `parts`. */
class Judge {
  readonly parts: EvaluatedPart[] = [];

  constructor(
    private readonly rules: readonly Rule[],
    private readonly parser: BashParser,
  ) {}

  /** The program that runs the script is a part too: no rule about the script speaks for it. */
  shell(program: string, why: string): void {
    this.add({ argv: [program], text: program, source: 'heuristic', decision: 'dangerous', why }, undefined);
  }

  script(parsed: ParsedScript, depth: number, within: string | undefined, stdin: SimpleCommand['stdin']): void {
    if (parsed.kind === 'complex') {
      for (const what of parsed.unresolved)
        this.add(
          {
            argv: [],
            text: 'the script',
            source: 'heuristic',
            decision: 'dangerous',
            why: `part of it cannot be read here (${what}), so what it runs is not known`,
          },
          within,
        );
    }
    for (const command of parsed.commands) this.command(command.stdin || !stdin ? command : { ...command, stdin }, depth, within);
  }

  private command(command: SimpleCommand, depth: number, within: string | undefined): void {
    const { argv, text } = command;
    const base = { argv: argv.map(shownWord), text };
    const verdict = classifyCommand(argv, command.stdin);
    const rule = findRule(this.rules, argv);
    if (rule !== null) {
      const where = `rule ${rule.index} in ${rule.file || '(built in)'} (${describePattern(rule.pattern)})`;
      this.add(
        {
          ...base,
          source: 'rule',
          decision: rule.decision,
          rule: { file: rule.file, index: rule.index, pattern: rule.pattern, justification: rule.justification },
          why: rule.justification === null ? where : `${where}: ${rule.justification}`,
        },
        within,
      );
    } else if (verdict.level === 'safe' && command.writes?.length) {
      this.add({ ...base, source: 'heuristic', decision: 'unknown', why: `it writes ${command.writes.map(shownWord).join(', ')}` }, within);
    } else {
      this.add({ ...base, source: 'heuristic', decision: verdict.level, why: verdict.why }, within);
    }
    for (const nested of verdict.runs ?? []) {
      if (depth >= MAX_DEPTH) {
        this.add(
          { argv: [], text: 'the script', source: 'heuristic', decision: 'dangerous', why: `it runs commands inside commands too deeply to check (${text})` },
          within,
        );
        return;
      }
      if (nested.kind === 'command')
        this.command(
          { argv: nested.argv, text: nested.argv.map((w) => shellWord(shownWord(w))).join(' '), ...(nested.stdin ? { stdin: nested.stdin } : {}) },
          depth + 1,
          text,
        );
      else this.script(this.parser.parse(nested.script), depth + 1, text, nested.stdin);
    }
  }

  private add(part: EvaluatedPart, within: string | undefined): void {
    this.parts.push(within === undefined ? part : { ...part, within });
  }
}

const quote = (text: string): string => `\`${text}\``;

/** The decision for a script of unknown-or-safe parts, from the approval policy and sandbox. */
function byPolicy(input: EvaluateInput, level: 'safe' | 'unknown', what: string): { decision: EvaluationDecision; reason: string } {
  const { approvalPolicy, sandboxMode, escalationRequested, sandboxAvailable } = input;
  const unconfined = sandboxMode === 'danger-full-access';
  if (!unconfined && !sandboxAvailable) {
    if (approvalPolicy === 'never')
      return {
        decision: 'forbidden',
        reason:
          `${what}: the sandbox (bubblewrap) is not available on this machine and the approval policy is "never", so nobody can approve running it unconfined. ` +
          'Install bubblewrap (e.g. `apt install bubblewrap`), choose --sandbox danger-full-access, or add an allow rule for the command.',
      };
    return { decision: 'ask', reason: `${what}: the sandbox (bubblewrap) is unavailable here, so it would run without confinement` };
  }
  if (escalationRequested && !unconfined) {
    if (approvalPolicy === 'never')
      return {
        decision: 'forbidden',
        reason: `${what}: it asked to run outside the sandbox, but the approval policy is "never", so nobody can approve it. Run it inside the sandbox instead.`,
      };
    if (approvalPolicy === 'on-failure')
      return { decision: 'run-sandboxed', reason: `${what}: runs in the sandbox first; approval is asked only if it fails there` };
    return { decision: 'ask', reason: `${what}: it asked to run outside the sandbox` };
  }
  if (approvalPolicy === 'untrusted' && level === 'unknown')
    return { decision: 'ask', reason: `${what}: not known to be read-only, and the approval policy is "untrusted"` };
  return unconfined
    ? { decision: 'allow-unsandboxed', reason: `${what}: runs without a sandbox (danger-full-access)` }
    : { decision: 'run-sandboxed', reason: `${what}: runs in the sandbox` };
}

/** A part as the user should read it: what it is, and where it sits when it is nested. */
const named = (part: EvaluatedPart): string => {
  const what = part.argv.length === 0 ? part.text : quote(part.text);
  return part.within === undefined ? what : `${what} (run by ${quote(part.within)})`;
};

function decide(input: EvaluateInput, parts: EvaluatedPart[]): { decision: EvaluationDecision; reason: string } {
  const { parsed, approvalPolicy } = input;
  const forbidden = parts.find((p) => p.decision === 'forbidden');
  if (forbidden) return { decision: 'forbidden', reason: `${named(forbidden)} is forbidden by ${forbidden.why}` };
  if (parsed.kind === 'plain' && parts.length > 0 && parts.every((p) => p.source === 'rule' && p.decision === 'allow'))
    return { decision: 'allow-unsandboxed', reason: parts.length === 1 ? `allowed by ${parts[0]!.why}` : 'every command is allowed by a rule' };
  const risky = parts.find((p) => p.decision === 'prompt' || p.decision === 'dangerous');
  if (risky) {
    const why = risky.decision === 'prompt' ? `${named(risky)} needs approval by ${risky.why}` : `${named(risky)} looks dangerous: ${risky.why}`;
    if (approvalPolicy === 'never') return { decision: 'forbidden', reason: `${why}; the approval policy is "never", so nobody can approve it` };
    return { decision: 'ask', reason: why };
  }
  const worst = parts.find((p) => p.decision === 'unknown');
  if (worst) return byPolicy(input, 'unknown', `${named(worst)} (${worst.why})`);
  // Every command is read-only, but the script's structure (substitutions, redirections, ...) is more than a list of them.
  if (parsed.kind === 'complex') return byPolicy(input, 'unknown', `the script is not a plain list of commands (${parsed.reasons.join('; ')})`);
  return byPolicy(input, 'safe', parts.length === 1 ? quote(parts[0]!.text) : 'every command is read-only');
}

/**
 * Decides how a parsed script runs. Every command the script can run, wherever it sits, and
 * every command those run in turn (wrappers, `sh -c`, `eval`, `find -exec`...), is judged
 * by the strictest rule matching it, or by the heuristics when none does, and the strictest
 * part decides: forbidden anywhere refuses the script; only a plain script whose every part
 * a rule allows runs outside the sandbox; a `prompt` rule, a dangerous part, or anything
 * only known at run time asks; the rest follows the approval policy and sandbox.
 */
export function evaluateCommand(input: EvaluateInput): Evaluation {
  const { parsed, sandboxMode, escalationRequested, sandboxAvailable, sessionGranted } = input;
  const judge = new Judge(input.rules, input.parser);
  if (input.unknownShell) judge.shell(input.unknownShell.program, input.unknownShell.why);
  judge.script(parsed, 0, undefined, undefined);
  const { parts } = judge;
  const modeAfterApproval = escalationRequested || sandboxMode === 'danger-full-access' || !sandboxAvailable ? 'escalated' : 'sandboxed';
  let { decision, reason } = decide(input, parts);

  const knownSafe = parsed.kind === 'plain' && parts.every((p) => p.decision === 'safe');
  const held = Boolean(input.brokenRules) && (decision === 'run-sandboxed' || decision === 'allow-unsandboxed') && !knownSafe;
  if (held) {
    const why = `${reason}; but ${input.brokenRules}, so commands not known to be read-only are asked about until it is fixed`;
    ({ decision, reason } =
      input.approvalPolicy === 'never' ? { decision: 'forbidden', reason: `${why}, and the approval policy is "never"` } : { decision: 'ask', reason: why });
  }

  if (decision === 'ask' && sessionGranted) {
    decision = modeAfterApproval === 'escalated' ? 'allow-unsandboxed' : 'run-sandboxed';
    reason = `accepted for this session earlier (${reason})`;
  }

  let proposedAmendment: string[] | null = null;
  if (decision === 'ask' && !held && parsed.kind === 'plain' && parts.length === 1) {
    const only = parts[0]!;
    if (only.source === 'heuristic' && only.decision !== 'dangerous') proposedAmendment = amendmentPrefix(only.argv);
  }
  return { decision, parts, reason, proposedAmendment, modeAfterApproval: decision === 'ask' ? modeAfterApproval : null };
}

/** The strictest decision among parts (for callers that show a summary). */
export function strictestPart(parts: readonly EvaluatedPart[]): EvaluatedPart | null {
  let best: EvaluatedPart | null = null;
  for (const part of parts) if (best === null || STRICTNESS[part.decision] > STRICTNESS[best.decision]) best = part;
  return best;
}
