import type { ApprovalPolicy, SandboxMode } from '../../../protocol/index.js';
import { amendmentPrefix } from './amendment.prefix.js';
import { classifyCommand, isDownloader, runsStdinAsCode } from './heuristics.js';
import { describePattern, findRule } from './match.js';
import type { ParsedScript, PatternToken, Rule, ScriptCommand } from './types.js';

export type EvaluationDecision = 'allow-unsandboxed' | 'run-sandboxed' | 'ask' | 'forbidden';
export type PartDecision = 'allow' | 'prompt' | 'forbidden' | 'safe' | 'dangerous' | 'unknown';

export interface EvaluatedPart {
  argv: string[];
  text: string;
  source: 'rule' | 'heuristic';
  decision: PartDecision;
  rule?: { file: string; index: number; pattern: PatternToken[]; justification: string | null };
  /** Why this part got its decision, in a few words. */
  why: string;
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
  approvalPolicy: ApprovalPolicy;
  sandboxMode: SandboxMode;
  /** The model asked to run outside the sandbox. */
  escalationRequested: boolean;
  /** Whether commands can be confined here (bubblewrap works). */
  sandboxAvailable: boolean;
  /** The user accepted this exact command for the session earlier. */
  sessionGranted: boolean;
}

const STRICTNESS: Record<PartDecision, number> = { allow: 0, safe: 0, unknown: 1, dangerous: 2, prompt: 2, forbidden: 3 };

function evaluatePart(command: ScriptCommand, rules: readonly Rule[]): EvaluatedPart {
  const base = { argv: command.argv, text: command.text };
  const rule = findRule(rules, command.argv);
  if (rule !== null) {
    const where = `rule ${rule.index} in ${rule.file || '(built in)'} (${describePattern(rule.pattern)})`;
    return {
      ...base,
      source: 'rule',
      decision: rule.decision,
      rule: { file: rule.file, index: rule.index, pattern: rule.pattern, justification: rule.justification },
      why: rule.justification === null ? where : `${where}: ${rule.justification}`,
    };
  }
  const { level, why } = classifyCommand(command.argv);
  return { ...base, source: 'heuristic', decision: level, why };
}

/** Marks a shell that reads a download from a pipe (`curl ... | sh`) as dangerous. */
function markPipedDownloads(parts: EvaluatedPart[], script: ParsedScript & { kind: 'plain' }): void {
  for (let j = 1; j < parts.length; j += 1) {
    const part = parts[j]!;
    if (part.decision === 'forbidden' || !runsStdinAsCode(part.argv)) continue;
    for (let k = j; k > 0 && script.operators[k - 1] === '|'; k -= 1) {
      if (isDownloader(parts[k - 1]!.argv)) {
        const { rule: _rule, ...rest } = part;
        parts[j] = { ...rest, source: 'heuristic', decision: 'dangerous', why: 'a download piped into a shell runs code from the network unchecked' };
        break;
      }
    }
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
    if (approvalPolicy === 'on-failure') return { decision: 'run-sandboxed', reason: `${what}: runs in the sandbox first; approval is asked only if it fails there` };
    return { decision: 'ask', reason: `${what}: it asked to run outside the sandbox` };
  }
  if (approvalPolicy === 'untrusted' && level === 'unknown')
    return { decision: 'ask', reason: `${what}: not known to be read-only, and the approval policy is "untrusted"` };
  return unconfined
    ? { decision: 'allow-unsandboxed', reason: `${what}: runs without a sandbox (danger-full-access)` }
    : { decision: 'run-sandboxed', reason: `${what}: runs in the sandbox` };
}

function decide(input: EvaluateInput, parts: EvaluatedPart[]): { decision: EvaluationDecision; reason: string } {
  const { parsed, approvalPolicy } = input;
  if (parsed.kind === 'complex') {
    const why = parsed.reasons.length > 0 ? ` (${parsed.reasons.join('; ')})` : '';
    return byPolicy(input, 'unknown', `the script is too complex to check${why}`);
  }
  const forbidden = parts.find((p) => p.decision === 'forbidden');
  if (forbidden) return { decision: 'forbidden', reason: `${quote(forbidden.text)} is forbidden by ${forbidden.why}` };
  if (parts.length > 0 && parts.every((p) => p.source === 'rule' && p.decision === 'allow'))
    return { decision: 'allow-unsandboxed', reason: parts.length === 1 ? `allowed by ${parts[0]!.why}` : 'every command is allowed by a rule' };
  const risky = parts.find((p) => p.decision === 'prompt' || p.decision === 'dangerous');
  if (risky) {
    const why = risky.decision === 'prompt' ? `${quote(risky.text)} needs approval by ${risky.why}` : `${quote(risky.text)} looks dangerous: ${risky.why}`;
    if (approvalPolicy === 'never')
      return { decision: 'forbidden', reason: `${why}; the approval policy is "never", so nobody can approve it` };
    return { decision: 'ask', reason: why };
  }
  const worst = parts.find((p) => p.decision === 'unknown');
  const what = worst ? `${quote(worst.text)} (${worst.why})` : parts.length === 1 ? quote(parts[0]!.text) : 'every command is read-only';
  return byPolicy(input, worst ? 'unknown' : 'safe', what);
}

/**
 * Decides how a parsed script runs. Every simple command is judged by the strictest rule
 * matching it, or by the heuristics when none does, and the strictest part decides:
 * forbidden anywhere refuses the script; only a script whose every part a rule allows
 * runs outside the sandbox; a `prompt` rule or a dangerous part asks; the rest follows
 * the approval policy and sandbox. Complex scripts are never allowed by rules.
 */
export function evaluateCommand(input: EvaluateInput): Evaluation {
  const { parsed, sandboxMode, escalationRequested, sandboxAvailable, sessionGranted } = input;
  const parts = parsed.kind === 'plain' ? parsed.commands.map((c) => evaluatePart(c, input.rules)) : [];
  if (parsed.kind === 'plain') markPipedDownloads(parts, parsed);
  const modeAfterApproval = escalationRequested || sandboxMode === 'danger-full-access' || !sandboxAvailable ? 'escalated' : 'sandboxed';
  let { decision, reason } = decide(input, parts);

  if (decision === 'ask' && sessionGranted) {
    decision = modeAfterApproval === 'escalated' ? 'allow-unsandboxed' : 'run-sandboxed';
    reason = `accepted for this session earlier (${reason})`;
  }

  let proposedAmendment: string[] | null = null;
  if (decision === 'ask' && parsed.kind === 'plain' && parts.length === 1) {
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
