import { afterEach, describe, expect, it } from 'vitest';
import { execCli, scene, toolOutputsSeen, type Scene } from './cli.harness.js';

let current: Scene | null = null;
const open = async (script: Parameters<typeof scene>[0]) => (current = await scene(script));
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

const escalation = { call: 'exec_command', args: { cmd: 'rm -rf ../data', sandbox_permissions: 'require_escalated', justification: 'clean up' } };
const assessment = { description: 'Deletes the data directory next to the project.', riskLevel: 'high', riskCategories: ['data deletion'] };

describe('the model assesses the risk of an escalation (experimental)', () => {
  it('asks a separate structured question and shows the answer with the approval', async () => {
    const s = await open({ turns: [[escalation], [{ text: JSON.stringify(assessment) }], [{ text: 'Left it alone.' }]] });
    const result = await execCli(s, ['-a', 'on-request', '-c', 'features.sandbox_command_assessment=true', 'clean']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("risk (the model's assessment): high (data deletion): Deletes the data directory next to the project.");
    const question = s.server.requests[1] as { tools: unknown[]; text: { format: { type: string } }; input: unknown[] };
    expect(question.tools).toEqual([]);
    expect(question.text.format.type).toBe('json_schema');
    expect(JSON.stringify(question.input)).toContain('rm -rf ../data');
    expect(JSON.stringify(question.input)).not.toContain('"clean"');
    expect(toolOutputsSeen(s.server.requests)[0]).toMatch(/rejected by the user/);
  });

  it('asks without an assessment when the model takes longer than 5 seconds', async () => {
    const slow = { text: JSON.stringify(assessment), chunks: ['{', JSON.stringify(assessment).slice(1)], delayMs: 8_000 };
    const s = await open({ turns: [[escalation], [slow], [{ text: 'Left it alone.' }]] });
    const started = Date.now();
    const result = await execCli(s, ['-a', 'on-request', '-c', 'experimental_sandbox_command_assessment=true', 'clean']);
    expect(result.exitCode).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_000);
    expect(result.stderr).toContain('declined an approval request');
    expect(result.stderr).not.toContain('risk (the model');
  });

  it('does not ask the model when the feature is off', async () => {
    const s = await open({ turns: [[escalation], [{ text: 'Left it alone.' }]] });
    const result = await execCli(s, ['-a', 'on-request', 'clean']);
    expect(result.exitCode).toBe(0);
    expect(s.server.requests).toHaveLength(2);
  });
});
