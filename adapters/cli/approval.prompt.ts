import { createInterface } from 'node:readline/promises';
import type { ApprovalDecision, ElicitationAction, ElicitationContent, ProtocolEventOf } from '../../protocol/index.js';
import { describeElicitation, formFields, type ElicitationEvent } from '../shared/index.js';

type CommandApproval = ProtocolEventOf<'item/commandExecution/requestApproval'>;
type FileApproval = ProtocolEventOf<'item/fileChange/requestApproval'>;
export type ApprovalEvent = CommandApproval | FileApproval;

/** The user's answer to an MCP server's question. */
export interface ElicitationReply {
  action: ElicitationAction;
  content: ElicitationContent | null;
}

const choices: Array<{ key: string; decision: 'accept' | 'acceptForSession' | 'decline' | 'cancel'; label: string }> = [
  { key: 'y', decision: 'accept', label: 'yes, run it' },
  { key: 'a', decision: 'acceptForSession', label: 'yes, and do not ask again for this in this session' },
  { key: 'n', decision: 'decline', label: 'no, tell the model to do something else' },
  { key: 'c', decision: 'cancel', label: 'no, and stop the turn' },
];

const offered = (event: ApprovalEvent) => {
  const available = event.method === 'item/commandExecution/requestApproval' ? event.params.availableDecisions : null;
  return choices.filter((choice) => !available || available.some((decision) => decision === choice.decision));
};

/** The question as a person reads it: what would run, where, and why it needs a yes. */
export function describeApproval(event: ApprovalEvent): string {
  if (event.method === 'item/commandExecution/requestApproval') {
    const { command, cwd, reason, risk } = event.params;
    return [
      `\nThe agent wants to run:\n  $ ${command}\n  in ${cwd}`,
      reason ? `  reason: ${reason}` : null,
      risk
        ? `  risk (the model's assessment): ${risk.riskLevel}${risk.riskCategories.length ? ` (${risk.riskCategories.join(', ')})` : ''}: ${risk.description}`
        : null,
    ]
      .filter(Boolean)
      .join('\n');
  }
  const { reason, grantRoot } = event.params;
  return [`\nThe agent wants to change files`, grantRoot ? `  under ${grantRoot}` : null, reason ? `  reason: ${reason}` : null].filter(Boolean).join('\n');
}

/**
 * Asks on the terminal, one question at a time, until a valid choice is typed.
 * End of input counts as "decline", so a closed terminal never approves anything.
 */
export class TerminalApprover {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
  ) {}

  ask(event: ApprovalEvent): Promise<ApprovalDecision> {
    return this.inTurn(() => this.askNow(event));
  }

  /** Asks an MCP server's question: answer the form field by field, decline, or cancel. */
  answer(event: ElicitationEvent): Promise<ElicitationReply> {
    return this.inTurn(() => this.answerNow(event));
  }

  /** One question on the terminal at a time. */
  private inTurn<T>(asking: () => Promise<T>): Promise<T> {
    const answer = this.queue.then(asking);
    this.queue = answer.then(
      () => undefined,
      () => undefined,
    );
    return answer;
  }

  private async answerNow(event: ElicitationEvent): Promise<ElicitationReply> {
    const declined: ElicitationReply = { action: 'decline', content: null };
    const rl = createInterface({ input: this.input, output: this.output, terminal: true });
    rl.on('SIGINT', () => process.emit('SIGINT'));
    const closed = new Promise<null>((resolve) => rl.once('close', () => resolve(null)));
    const line = async (prompt: string) => {
      const typed = await Promise.race([rl.question(prompt), closed]);
      return typed === null ? null : typed.trim();
    };
    try {
      this.output.write(`\n${describeElicitation(event)}\n`);
      for (;;) {
        const choice = await line('  [a] answer it  [d] decline  [c] cancel\n> ');
        if (choice === null || choice.toLowerCase() === 'd') return declined;
        if (choice.toLowerCase() === 'c') return { action: 'cancel', content: null };
        if (choice.toLowerCase() === 'a') break;
        this.output.write('Please type a, d or c.\n');
      }
      const content: ElicitationContent = {};
      for (const field of formFields(event)) {
        for (;;) {
          const typed = await line(`  ${field.prompt}`);
          if (typed === null) return declined;
          if (typed === '' && !field.required) break;
          const read = field.read(typed);
          if ('value' in read) {
            content[field.name] = read.value;
            break;
          }
          this.output.write(`  ${read.problem}\n`);
        }
      }
      return { action: 'accept', content };
    } finally {
      rl.close();
    }
  }

  private async askNow(event: ApprovalEvent): Promise<ApprovalDecision> {
    const options = offered(event);
    const rl = createInterface({ input: this.input, output: this.output, terminal: true });
    // readline swallows Ctrl-C on a TTY; hand it back to the process so the turn is interrupted.
    rl.on('SIGINT', () => process.emit('SIGINT'));
    const closed = new Promise<null>((resolve) => rl.once('close', () => resolve(null)));
    try {
      this.output.write(`${describeApproval(event)}\n`);
      const menu = options.map((choice) => `  [${choice.key}] ${choice.label}`).join('\n');
      for (;;) {
        const line = await Promise.race([rl.question(`${menu}\n> `), closed]);
        if (line === null) return 'decline';
        const picked = options.find((choice) => choice.key === line.trim().toLowerCase());
        if (picked) return picked.decision;
        this.output.write(`Please type one of ${options.map((choice) => choice.key).join(', ')}.\n`);
      }
    } finally {
      rl.close();
    }
  }
}
