import type { PolicyCheckInput, PolicyVerdict } from '../../machines/index.js';
import type { ApprovalDecision } from '../../protocol/index.js';
import { loadBashParser, parseCommand, type ParsedScript } from './parse/index.js';
import { evaluateCommand, loadRules, ruleSources, type EvaluateInput, type Evaluation, type RuleBaseline, type RuleFileError } from './rules/index.js';
import { shellProblem, type ShellChoice } from './shell.policy.js';

/** Where a command's policy is looked up: the home and project holding rule files, and what the host can confine. */
export interface PolicyContext {
  home: string;
  cwd: string;
  projectTrusted: boolean;
  sandboxAvailable: boolean;
  /** Told about each rule file that is broken, or written during the thread (once per thread with a baseline). */
  onRuleError?: (error: RuleFileError) => void;
  /** The thread's rule files as they were when it started; without one, rule files are taken as they are. */
  baseline?: RuleBaseline | null;
}

/** The parse and the rule evaluation behind a verdict, for `statecraft execpolicy check`. */
export interface PolicyExplanation {
  parsed: ParsedScript;
  evaluation: Evaluation;
  ruleErrors: RuleFileError[];
}

/** Parses a script and evaluates it against the rule files in effect for `cwd`. */
export async function explainCommand(
  script: string | string[],
  options: PolicyContext &
    Pick<PolicyCheckInput, 'approvalPolicy' | 'sandboxMode'> &
    Pick<EvaluateInput, 'unknownShell'> & { escalationRequested: boolean; sessionGranted: boolean },
): Promise<PolicyExplanation> {
  const parser = await loadBashParser();
  const parsed = parseCommand(parser, script);
  const { rules, errors } = await loadRules({ ...(await ruleSources(options.home, options.cwd, options.projectTrusted)), baseline: options.baseline ?? null });
  for (const error of errors) if (options.baseline?.firstReport(error) ?? true) options.onRuleError?.(error);
  const unreadable = errors.filter((error) => error.lost).map((error) => error.file);
  const evaluation = evaluateCommand({
    parsed,
    rules,
    parser,
    approvalPolicy: options.approvalPolicy,
    sandboxMode: options.sandboxMode,
    escalationRequested: options.escalationRequested,
    sandboxAvailable: options.sandboxAvailable,
    sessionGranted: options.sessionGranted,
    unknownShell: options.unknownShell ?? null,
    brokenRules: unreadable.length === 0 ? null : `the rule file ${unreadable.join(', ')} cannot be read in full`,
  });
  return { parsed, evaluation, ruleErrors: errors };
}

/**
 * How a tool call may run: in the sandbox, outside it, only after asking, or not at all.
 * The script is judged together with the shell that runs it. Rules are read at every check,
 * so an amendment the user just accepted applies at once.
 */
export async function checkCommandPolicy(
  input: PolicyCheckInput,
  call: { script: string; shell: ShellChoice },
  context: PolicyContext,
): Promise<PolicyVerdict> {
  const { prepared } = input;
  if (prepared.kind !== 'exec') return { decision: 'run', mode: 'sandboxed' };
  const why = await shellProblem(call.shell);
  const { evaluation } = await explainCommand(call.script, {
    unknownShell: why === null ? null : { program: call.shell.program, why },
    ...context,
    approvalPolicy: input.approvalPolicy,
    sandboxMode: input.sandboxMode,
    escalationRequested: prepared.escalationRequested,
    sessionGranted: input.sessionGrants.includes(prepared.grantKey),
  });
  switch (evaluation.decision) {
    case 'allow-unsandboxed':
      return { decision: 'run', mode: 'escalated' };
    case 'run-sandboxed':
      return { decision: 'run', mode: 'sandboxed' };
    case 'forbidden':
      return { decision: 'refuse', message: `exec_command was not run: ${evaluation.reason}` };
    case 'ask': {
      const amendment = evaluation.proposedAmendment;
      const availableDecisions: ApprovalDecision[] = [
        'accept',
        'acceptForSession',
        ...(amendment ? [{ acceptWithExecpolicyAmendment: { execpolicy_amendment: amendment } }] : []),
        'decline',
        'cancel',
      ];
      return {
        decision: 'ask',
        reason: prepared.escalationRequested && prepared.justification ? prepared.justification : evaluation.reason,
        proposedAmendment: amendment,
        availableDecisions,
        modeAfterApproval: evaluation.modeAfterApproval ?? 'sandboxed',
      };
    }
  }
}
