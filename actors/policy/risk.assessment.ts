import * as z from 'zod';
import { CommandRisk, type ThreadSettings } from '../../protocol/index.js';
import { streamModel } from '../model/index.js';

const INSTRUCTIONS = `You review shell commands that a coding agent wants to run outside its sandbox.
You do not run anything. Judge only the command and its context as given.
Answer with JSON: a one-sentence description of what the command does, a riskLevel
("low" for read-only or easily undone work inside the project, "medium" for changes that are
hard to undo or reach outside the project, "high" for anything that can destroy data, leak
secrets, change the system or run downloaded code), and riskCategories, a list drawn from:
"data deletion", "data exfiltration", "privilege escalation", "system modification",
"network access", "resource exhaustion", "code execution". Use an empty list when none apply.`;

/** The answer's JSON Schema, made when first asked for rather than whenever the policy loads. */
let riskSchemaJson: Record<string, unknown> | null = null;
const riskSchema = () => (riskSchemaJson ??= z.toJSONSchema(CommandRisk) as Record<string, unknown>);

export interface RiskQuestion {
  command: string;
  cwd: string;
  /** Why the agent says it needs to run the command, when it said. */
  reason: string | null;
}

/**
 * Asks the model, in a separate request with no conversation, how risky a command is.
 * Any failure, an answer that does not fit the schema, or an abort gives null: the
 * approval is then asked without an assessment.
 */
export async function assessCommandRisk(
  question: RiskQuestion,
  settings: ThreadSettings,
  options: { signal: AbortSignal; env: NodeJS.ProcessEnv; threadId: string },
): Promise<CommandRisk | null> {
  const context = [
    `Command: ${question.command}`,
    `Working directory: ${question.cwd}`,
    `Sandbox mode: ${settings.sandboxMode}; writable roots: ${[settings.cwd, ...settings.writableRoots].join(', ')}; network: ${settings.networkAccess ? 'on' : 'off'}`,
    question.reason ? `The agent's reason: ${question.reason}` : 'The agent gave no reason.',
  ].join('\n');
  let text = '';
  try {
    for await (const event of streamModel(
      {
        provider: settings.provider,
        model: settings.model,
        threadId: options.threadId,
        instructions: INSTRUCTIONS,
        input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: context }] }],
        tools: [],
        reasoningEffort: null,
        reasoningSummary: 'none',
        parallelToolCalls: false,
        outputSchema: { name: 'command_risk', schema: riskSchema() },
      },
      { signal: options.signal, env: options.env },
    )) {
      if (event.type === 'outputTextDelta') text += event.delta;
      if (event.type === 'failed') return null;
    }
  } catch {
    return null;
  }
  if (options.signal.aborted) return null;
  try {
    const parsed = CommandRisk.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
