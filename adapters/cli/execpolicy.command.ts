import { loadConfig, resolveThreadSettings, statecraftHome } from '../../actors/config/index.js';
import { probeSandbox } from '../../actors/exec/index.js';
import { explainCommand } from '../../actors/policy/index.js';
import type { ApprovalPolicy, SandboxMode } from '../../protocol/index.js';

export interface ExecPolicyFlags {
  json: boolean;
  cd?: string;
  askForApproval?: ApprovalPolicy;
  sandbox?: SandboxMode;
  escalate: boolean;
}

/**
 * `statecraft execpolicy check -- CMD...`: what the policy would do with a command here,
 * which rules matched, and how the script was split. One argument is read as a script.
 */
export async function runExecPolicyCheck(
  argv: string[],
  flags: ExecPolicyFlags,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv },
): Promise<number> {
  const cwd = flags.cd ?? process.cwd();
  const home = statecraftHome(io.env);
  const loaded = await loadConfig({ cwd, env: io.env, home });
  const settings = await resolveThreadSettings(
    loaded,
    { cwd, ...(flags.askForApproval ? { approvalPolicy: flags.askForApproval } : {}), ...(flags.sandbox ? { sandbox: flags.sandbox } : {}) },
    io.env,
  );
  const { parsed, evaluation, ruleErrors } = await explainCommand(argv.length === 1 ? argv[0]! : argv, {
    home,
    cwd,
    projectTrusted: settings.projectTrusted,
    sandboxAvailable: (await probeSandbox()).available,
    approvalPolicy: settings.approvalPolicy,
    sandboxMode: settings.sandboxMode,
    escalationRequested: flags.escalate,
    sessionGranted: false,
  });
  if (flags.json) {
    const report = {
      decision: evaluation.decision,
      reason: evaluation.reason,
      approvalPolicy: settings.approvalPolicy,
      sandboxMode: settings.sandboxMode,
      script: parsed,
      parts: evaluation.parts,
      matchedRules: evaluation.parts.flatMap((part) => (part.rule ? [part.rule] : [])),
      proposedAmendment: evaluation.proposedAmendment,
      ruleErrors,
    };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const error of ruleErrors) io.stderr.write(`warning: ${error.message} (${error.effect}; ${error.fix})\n`);
    io.stdout.write(`decision: ${evaluation.decision} (approval ${settings.approvalPolicy}, sandbox ${settings.sandboxMode})\nreason: ${evaluation.reason}\n`);
    if (parsed.kind === 'complex') io.stdout.write(`complex script: ${parsed.reasons.join('; ')}\n`);
    for (const part of evaluation.parts) {
      const rule = part.rule ? ` [rule ${part.rule.index} in ${part.rule.file}]` : '';
      const within = part.within === undefined ? '' : ` [run by ${part.within}]`;
      io.stdout.write(`  ${part.decision.padEnd(9)} ${part.text}${within}${rule} (${part.why})\n`);
    }
    if (evaluation.proposedAmendment) io.stdout.write(`amendment offered: allow ${JSON.stringify(evaluation.proposedAmendment)}\n`);
  }
  return 0;
}
