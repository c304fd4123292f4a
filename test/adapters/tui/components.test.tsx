import { render } from 'ink-testing-library';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApprovalDecision, ElicitationAction, ElicitationContent, SkillMetadata } from '../../../protocol/index.js';
import { ApprovalModal } from '../../../adapters/tui/ApprovalModal.js';
import { QuestionModal } from '../../../adapters/tui/QuestionModal.js';
import type { ElicitationEvent } from '../../../adapters/shared/index.js';
import { Composer, emptyDraft, type Attachments, type Draft } from '../../../adapters/tui/Composer.js';
import { pastedImagePath } from '../../../adapters/tui/files.js';
import { streamingTail, Transcript } from '../../../adapters/tui/Transcript.js';
import { applyEvent, emptyTranscript, type ApprovalEvent } from '../../../adapters/tui/transcript.state.js';

/** Lets Ink's input handling and React's updates run. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 150));

/** Waits until `check` holds (a busy machine may take a while to render), failing after 10 s. */
async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > 10_000) throw new Error('timed out waiting for the frame');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const approval = (decisions: ApprovalDecision[], command = "/bin/bash -lc 'touch a.txt'"): ApprovalEvent => ({
  method: 'item/commandExecution/requestApproval',
  approvalId: 'ap-1',
  params: {
    kind: 'command',
    threadId: 't',
    turnId: 'u',
    itemId: 'i',
    startedAtMs: 0,
    environmentId: 'local',
    reason: 'not known to be read-only',
    command,
    cwd: '/work/project',
    commandActions: [],
    proposedExecpolicyAmendment: null,
    availableDecisions: decisions,
    risk: null,
  },
});

describe('ApprovalModal', () => {
  const amendment: ApprovalDecision = { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['touch'] } };

  it('shows the command without its shell wrapper, with cwd and reason, and sends the prefix decision on p', async () => {
    const decided: ApprovalDecision[] = [];
    const ui = render(
      <ApprovalModal
        event={approval(['accept', 'acceptForSession', amendment, 'decline', 'cancel'])}
        changes={null}
        onDecide={(d) => decided.push(d)}
        onDeclineWith={() => {}}
      />,
    );
    const frame = ui.lastFrame()!;
    expect(frame).toContain('$ touch a.txt');
    expect(frame).toContain('in /work/project');
    expect(frame).toContain('reason: not known to be read-only');
    expect(frame).toContain('[p] yes, and always allow commands that start with `touch`');
    ui.stdin.write('p');
    await tick();
    expect(decided).toEqual([amendment]);
    ui.unmount();
  });

  it('offers no prefix choice when the policy proposed none, and Esc cancels', async () => {
    const decided: ApprovalDecision[] = [];
    const ui = render(
      <ApprovalModal
        event={approval(['accept', 'acceptForSession', 'decline', 'cancel'])}
        changes={null}
        onDecide={(d) => decided.push(d)}
        onDeclineWith={() => {}}
      />,
    );
    expect(ui.lastFrame()).not.toContain('always allow');
    ui.stdin.write('p');
    await tick();
    expect(decided).toEqual([]);
    ui.stdin.write('\u001b');
    await tick();
    expect(decided).toEqual(['cancel']);
    ui.unmount();
  });

  it('"no" asks what to do instead and hands over the text', async () => {
    const said: string[] = [];
    const ui = render(
      <ApprovalModal event={approval(['accept', 'decline', 'cancel'])} changes={null} onDecide={() => {}} onDeclineWith={(text) => said.push(text)} />,
    );
    ui.stdin.write('n');
    await tick();
    expect(ui.lastFrame()).toContain('What should the model do instead?');
    ui.stdin.write('use printf');
    await tick();
    ui.stdin.write('\r');
    await tick();
    expect(said).toEqual(['use printf']);
    ui.unmount();
  });
});

function ComposerHarness({
  onSubmit,
  onCommand,
  history = [],
  files = [],
  skills = [],
  cwd = '/nonexistent',
  plain = false,
}: {
  onSubmit: (text: string, attachments: Attachments) => void;
  onCommand: (name: string) => void;
  history?: string[];
  files?: string[];
  skills?: SkillMetadata[];
  cwd?: string;
  plain?: boolean;
}) {
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  return (
    <Composer
      draft={draft}
      onChange={setDraft}
      onSubmit={onSubmit}
      onCommand={onCommand}
      onEscape={() => {}}
      history={history}
      files={files}
      skills={skills}
      imageOf={(chunk) => pastedImagePath(chunk, cwd)}
      active
      placeholder="type here"
      plain={plain}
    />
  );
}

const skill = (name: string, description: string): SkillMetadata => ({
  name,
  description,
  shortDescription: null,
  path: `/home/u/skills/${name}/SKILL.md`,
  scope: 'user',
  enabled: true,
});

describe('Composer', () => {
  it('sends on Enter, starts a new line on Ctrl+J, and walks history with Up', async () => {
    const sent: string[] = [];
    const ui = render(<ComposerHarness onSubmit={(text) => sent.push(text)} onCommand={() => {}} history={['an earlier prompt']} />);
    ui.stdin.write('first line');
    await tick();
    ui.stdin.write('\n');
    await tick();
    ui.stdin.write('second line');
    await tick();
    expect(ui.lastFrame()).toContain('first line');
    ui.stdin.write('\r');
    await tick();
    expect(sent).toEqual(['first line\nsecond line']);
    ui.stdin.write('\u001b[A');
    await tick();
    expect(ui.lastFrame()).toContain('an earlier prompt');
    ui.unmount();
  });

  it('opens the slash popup and runs the chosen command', async () => {
    const commands: string[] = [];
    const ui = render(<ComposerHarness onSubmit={() => {}} onCommand={(name) => commands.push(name)} />);
    ui.stdin.write('/');
    await tick();
    const frame = ui.lastFrame()!;
    for (const name of ['/model', '/approvals', '/status', '/diff', '/new', '/compact']) expect(frame).toContain(name);
    // The list scrolls to keep the chosen command in view: Up from the first goes to the last.
    ui.stdin.write('\u001b[A');
    await until(() => ui.lastFrame()!.includes('› /quit'));
    ui.stdin.write('\u001b[B');
    await until(() => ui.lastFrame()!.includes('› /model'));
    ui.stdin.write('sta');
    await tick();
    ui.stdin.write('\r');
    await tick();
    expect(commands).toEqual(['status']);
    ui.unmount();
  });

  it('completes an @ mention from the fuzzy file list', async () => {
    const sent: string[] = [];
    const ui = render(<ComposerHarness onSubmit={(text) => sent.push(text)} onCommand={() => {}} files={['src/main.ts', 'README.md', 'src/tui/app.tsx']} />);
    ui.stdin.write('look at @tuiap');
    await tick();
    expect(ui.lastFrame()).toContain('src/tui/app.tsx');
    expect(ui.lastFrame()).not.toContain('README.md');
    ui.stdin.write('\t');
    await tick();
    ui.stdin.write('\r');
    await tick();
    expect(sent).toEqual(['look at src/tui/app.tsx ']);
    ui.unmount();
  });

  it('$ lists the skills; the chosen one goes with the message while the text still names it', async () => {
    const sent: Array<[string, Attachments]> = [];
    const skills = [skill('deploy', 'ship it to production'), skill('review', 'read a change closely')];
    const ui = render(<ComposerHarness onSubmit={(text, attachments) => sent.push([text, attachments])} onCommand={() => {}} skills={skills} />);
    ui.stdin.write('please $');
    await until(() => ui.lastFrame()!.includes('read a change closely'));
    expect(ui.lastFrame()).toContain('$deploy');
    ui.stdin.write('rev');
    await until(() => !ui.lastFrame()!.includes('$deploy'));
    ui.stdin.write('\t');
    await until(() => ui.lastFrame()!.includes('please $review '));
    ui.stdin.write('now');
    await until(() => ui.lastFrame()!.includes('$review now'));
    ui.stdin.write('\r');
    await until(() => sent.length === 1);
    expect(sent).toEqual([['please $review now', { images: [], skills: [{ name: 'review', path: '/home/u/skills/review/SKILL.md' }] }]]);
    // Chosen, then deleted from the text: not sent.
    ui.stdin.write('$dep');
    await until(() => ui.lastFrame()!.includes('ship it to production'));
    ui.stdin.write('\t');
    await until(() => ui.lastFrame()!.includes('› $deploy '));
    for (let i = 0; i < 'deploy '.length + 1; i++) ui.stdin.write('\u007f');
    await until(() => !ui.lastFrame()!.includes('$'));
    ui.stdin.write('plain words\r');
    await until(() => sent.length === 2);
    expect(sent[1]).toEqual(['plain words', { images: [], skills: [] }]);
    ui.unmount();
  });

  it('a pasted path to an image file attaches the image instead of typing the path; other paths stay text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'statecraft-composer-'));
    try {
      await writeFile(join(dir, 'shot one.png'), 'not really a png');
      await writeFile(join(dir, 'notes.txt'), 'text');
      const sent: Array<[string, Attachments]> = [];
      const ui = render(<ComposerHarness onSubmit={(text, attachments) => sent.push([text, attachments])} onCommand={() => {}} cwd={dir} />);
      ui.stdin.write(`'${join(dir, 'shot one.png')}'`);
      await until(() => ui.lastFrame()!.includes(`[image 1] ${join(dir, 'shot one.png')}`));
      ui.stdin.write('missing.png notes.txt');
      await until(() => ui.lastFrame()!.includes('notes.txt'));
      ui.stdin.write(' what is this?\r');
      await until(() => sent.length === 1);
      expect(sent).toEqual([['missing.png notes.txt what is this?', { images: [join(dir, 'shot one.png')], skills: [] }]]);
      await until(() => !ui.lastFrame()!.includes('[image 1]'));
      ui.unmount();
      expect(pastedImagePath('shot\\ one.png', dir)).toBe(join(dir, 'shot one.png'));
      expect(pastedImagePath(`file://${join(dir, 'shot%20one.png')}`, dir)).toBe(join(dir, 'shot one.png'));
      expect(pastedImagePath('notes.txt', dir)).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without colours the cursor is drawn as a character, not inverse video', async () => {
    const ui = render(<ComposerHarness onSubmit={() => {}} onCommand={() => {}} plain />);
    expect(ui.lastFrame()).toContain('› _type here');
    ui.stdin.write('ab');
    await until(() => ui.lastFrame()!.includes('› ab_'));
    ui.stdin.write('\u001b[D');
    await until(() => ui.lastFrame()!.includes('› a|b'));
    ui.unmount();
  });
});

describe('Transcript', () => {
  it('shows streamed text as it arrives and a command with its folded output and status', () => {
    const state = emptyTranscript();
    const base = { threadId: 't', turnId: 'u' };
    applyEvent(state, {
      method: 'item/started',
      params: {
        ...base,
        startedAtMs: 0,
        item: {
          type: 'agentMessage',
          id: 'm',
          text: '',
          phase: null,
          moderation: null,
          memoryCitation: null,
          delivery: null,
          questions: null,
          startedAtMs: null,
          completedAtMs: null,
        },
      },
    } as any);
    applyEvent(state, { method: 'item/agentMessage/delta', params: { ...base, itemId: 'm', delta: '## Heading\n\n- a point' } } as any);
    let ui = render(<Transcript generation="t" done={state.done} live={state.live} width={80} rows={24} />);
    expect(ui.lastFrame()).toContain('Heading');
    expect(ui.lastFrame()).toContain('a point');
    ui.unmount();
    const output = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');
    applyEvent(state, {
      method: 'item/completed',
      params: {
        ...base,
        contentTokenCount: null,
        completedAtMs: 0,
        item: {
          type: 'commandExecution',
          id: 'c',
          pluginId: null,
          scriptPath: null,
          command: "/bin/bash -lc 'seq 30'",
          cwd: '/w',
          processId: null,
          source: 'agent',
          status: 'completed',
          commandActions: [],
          aggregatedOutput: output,
          exitCode: 0,
          durationMs: 1500,
          startedAtMs: 0,
          completedAtMs: 0,
        },
      },
    } as any);
    ui = render(<Transcript generation="t" done={state.done} live={state.live} width={80} rows={24} />);
    const frame = ui.lastFrame()!;
    expect(frame).toContain('$ seq 30');
    expect(frame).toContain('18 earlier lines folded');
    expect(frame).toContain('line 30');
    expect(frame).not.toContain('line 3\n');
    expect(frame).toContain('✓ exit 0 · 1.5s');
    ui.unmount();
  });

  it('shows a compaction while it runs and once it is done, and a notice of a kind it does not know', () => {
    const state = emptyTranscript();
    const base = { threadId: 't', turnId: 'u' };
    const item = { type: 'contextCompaction', id: 'k', startedAtMs: 0, completedAtMs: null };
    applyEvent(state, { method: 'item/started', params: { ...base, startedAtMs: 0, item } } as any);
    let ui = render(<Transcript generation="t" done={state.done} live={state.live} width={80} rows={24} />);
    expect(ui.lastFrame()).toContain('compacting the conversation…');
    ui.unmount();
    applyEvent(state, { method: 'item/completed', params: { ...base, completedAtMs: 5, contentTokenCount: null, item: { ...item, completedAtMs: 5 } } } as any);
    applyEvent(state, { method: 'model/upgradeNotice', params: { message: 'gpt-old has a successor: gpt-new' } } as any);
    ui = render(<Transcript generation="t" done={state.done} live={state.live} width={80} rows={24} />);
    expect(ui.lastFrame()).toContain('✓ context compacted');
    expect(ui.lastFrame()).toContain('gpt-old has a successor: gpt-new');
    ui.unmount();
  });

  it('a long answer streams as its tail: whole lines, a code block cut in the middle still a code block', () => {
    const code = Array.from({ length: 200 }, (_, i) => `const line${i} = ${i};`).join('\n');
    const text = `# Title\n\nintro\n\n\`\`\`ts\n${code}`;
    const tail = streamingTail(text, 60, 10);
    expect(tail.length).toBeLessThan(600);
    expect(tail.startsWith('```\n')).toBe(true);
    expect(tail.endsWith('const line199 = 199;')).toBe(true);
    // The lines after the reopened fence are whole lines of the answer.
    expect(tail.split('\n')[1]).toMatch(/^const line\d+ = \d+;$/);
    // After the fence is closed, no fence is added.
    expect(streamingTail(`${text}\n\`\`\`\n${'plain words '.repeat(200)}`, 60, 10).startsWith('```')).toBe(false);
    expect(streamingTail('short', 60, 10)).toBe('short');
  });
});

describe('QuestionModal', () => {
  const question: ElicitationEvent = {
    method: 'mcpServer/elicitation/request',
    approvalId: 'el-1',
    params: {
      threadId: 't',
      turnId: 'u',
      serverName: 'notes',
      mode: 'form',
      message: 'How many copies?',
      requestedSchema: {
        type: 'object',
        properties: { copies: { type: 'integer', title: 'Copies' }, note: { type: 'string', title: 'Note' } },
        required: ['copies'],
      },
    },
  };

  it('checks each line against its field, skips an empty optional one, and accepts with the content', async () => {
    const answers: Array<[ElicitationAction, ElicitationContent | null]> = [];
    const ui = render(<QuestionModal event={question} onAnswer={(action, content) => answers.push([action, content])} />);
    expect(ui.lastFrame()).toContain('The MCP server notes asks: How many copies?');
    ui.stdin.write('a');
    await until(() => ui.lastFrame()!.includes('1/2 Copies [integer]'));
    ui.stdin.write('2.5');
    await until(() => ui.lastFrame()!.includes('2.5'));
    ui.stdin.write('\r');
    await until(() => ui.lastFrame()!.includes('type a whole number'));
    for (let i = 0; i < 3; i++) ui.stdin.write('\u007f');
    ui.stdin.write('3');
    await until(() => /› 3\b/.test(ui.lastFrame()!));
    ui.stdin.write('\r');
    await until(() => ui.lastFrame()!.includes('2/2 Note [string] (optional, Enter to skip)'));
    ui.stdin.write('\r');
    await until(() => answers.length > 0);
    expect(answers).toEqual([['accept', { copies: 3 }]]);
    ui.unmount();
  });

  it('declines with d and cancels with Esc', async () => {
    const answers: ElicitationAction[] = [];
    const declining = render(<QuestionModal event={question} onAnswer={(action) => answers.push(action)} />);
    declining.stdin.write('d');
    await until(() => answers.length === 1);
    declining.unmount();
    const cancelling = render(<QuestionModal event={question} onAnswer={(action) => answers.push(action)} />);
    cancelling.stdin.write('\u001b');
    await until(() => answers.length === 2);
    cancelling.unmount();
    expect(answers).toEqual(['decline', 'cancel']);
  });
});
