/**
 * One turn through the real Codex SDK: each case asserts what the SDK hands its user (items,
 * final response, usage) and what reached the model.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolOutputsSeen } from '../cli.harness.js';
import { SDK_STATUSES, itemsOf, sdkScene, streamAll, userParts } from './sdk.harness.js';

const USAGE = { input_tokens: 10, cached_input_tokens: 0, cache_write_input_tokens: 0, output_tokens: 5, reasoning_output_tokens: 0 };

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe.concurrent('the Codex SDK drives statecraft exec: one turn', () => {
  it('run(): a text turn; the prompt arrives as written and the SDK is named as the client', async ({ onTestFinished }) => {
    const s = await sdkScene({ turns: [[{ reasoning: ['Thinking it over.'] }, { text: 'Hello from the model.' }]] }, onTestFinished);
    const thread = s.codex().startThread({ workingDirectory: s.ws, skipGitRepoCheck: true });
    const turn = await thread.run('  say hello\n');
    expect(thread.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(turn.finalResponse).toBe('Hello from the model.');
    expect(turn.items).toEqual([
      { id: 'item_0', type: 'reasoning', text: 'Thinking it over.' },
      { id: 'item_1', type: 'agent_message', text: 'Hello from the model.' },
    ]);
    expect(turn.usage).toEqual(USAGE);
    expect(userParts(s.requests()[0]).at(-1)).toEqual({ type: 'input_text', text: '  say hello\n' });
    expect(s.model.headers[0]!['originator']).toBe('codex_sdk_ts');
  });

  it('runStreamed(): the thread, the turn and its items as events', async ({ onTestFinished }) => {
    const s = await sdkScene({ turns: [[{ text: 'Streamed answer.', chunks: ['Streamed ', 'answer.'] }]] }, onTestFinished);
    const thread = s.codex().startThread({ workingDirectory: s.ws, skipGitRepoCheck: true });
    const { events, error } = await streamAll((await thread.runStreamed('stream it')).events);
    expect(error).toBeNull();
    expect(events).toEqual([
      { type: 'thread.started', thread_id: thread.id },
      { type: 'turn.started' },
      { type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: 'Streamed answer.' } },
      { type: 'turn.completed', usage: USAGE },
    ]);
  });

  it('commands: passing, failing, denied by the sandbox, and refused by the policy without running', async ({ onTestFinished }) => {
    const outside = `/usr/statecraft-sdk-denied-${process.pid}-${Date.now()}`;
    const s = await sdkScene(
      {
        turns: [
          [{ call: 'exec_command', args: { cmd: 'echo ok' } }],
          [{ call: 'exec_command', args: { cmd: 'echo broken >&2; exit 3' } }],
          [{ call: 'exec_command', args: { cmd: `touch ${outside}` } }],
          [{ call: 'exec_command', args: { cmd: `touch ${outside}`, sandbox_permissions: 'require_escalated', justification: 'needs /usr' } }],
          [{ text: 'Done.' }],
        ],
      },
      onTestFinished,
    );
    onTestFinished(() => rm(outside, { force: true }));
    const thread = s.codex().startThread({ workingDirectory: s.ws, skipGitRepoCheck: true, sandboxMode: 'workspace-write' });
    const { events, error } = await streamAll((await thread.runStreamed('run commands')).events);
    expect(error).toBeNull();
    const commandEvents = events.flatMap((event) =>
      'item' in event && event.item.type === 'command_execution' ? [{ type: event.type, item: event.item }] : [],
    );
    // Every status is one the SDK's CommandExecutionStatus allows.
    for (const { item } of commandEvents) expect(SDK_STATUSES).toContain(item.status);
    const completed = commandEvents.filter((event) => event.type === 'item.completed').map(({ item }) => item);
    expect(completed).toEqual([
      { id: 'item_0', type: 'command_execution', command: "/bin/bash -lc 'echo ok'", aggregated_output: 'ok\n', exit_code: 0, status: 'completed' },
      {
        id: 'item_1',
        type: 'command_execution',
        command: "/bin/bash -lc 'echo broken >&2; exit 3'",
        aggregated_output: 'broken\n',
        exit_code: 3,
        status: 'failed',
      },
      {
        id: 'item_2',
        type: 'command_execution',
        command: `/bin/bash -lc 'touch ${outside}'`,
        aggregated_output: expect.stringContaining('Read-only file system'),
        exit_code: 1,
        status: 'failed',
      },
    ]);
    expect(commandEvents.filter((event) => event.type === 'item.started').map(({ item }) => [item.id, item.status, item.exit_code])).toEqual([
      ['item_0', 'in_progress', null],
      ['item_1', 'in_progress', null],
      ['item_2', 'in_progress', null],
    ]);
    // The escalation nobody could approve is no item at all, as in Codex; the model is told why.
    expect(events.at(-2)).toEqual({ type: 'item.completed', item: { id: 'item_3', type: 'agent_message', text: 'Done.' } });
    expect(toolOutputsSeen(s.requests()).at(-1)).toMatch(/not run[\s\S]*approval policy is "never"/);
    await expect(readFile(outside)).rejects.toThrow();
  });

  it('a patch: one file_change item, its changes sorted by path; a patch refused before it is applied has none', async ({ onTestFinished }) => {
    const outside = `/usr/statecraft-sdk-patch-${process.pid}-${Date.now()}.txt`;
    const patch = [
      '*** Begin Patch',
      '*** Add File: zeta.txt',
      '+z',
      '*** Add File: alpha.txt',
      '+a',
      '*** Update File: mid.txt',
      '@@',
      '-old',
      '+new',
      '*** End Patch',
      '',
    ].join('\n');
    const refused = ['*** Begin Patch', `*** Add File: ${outside}`, '+x', '*** End Patch', ''].join('\n');
    const s = await sdkScene(
      { turns: [[{ custom: 'apply_patch', input: patch }], [{ custom: 'apply_patch', input: refused }], [{ text: 'Patched.' }]] },
      onTestFinished,
    );
    onTestFinished(() => rm(outside, { force: true }));
    await writeFile(join(s.ws, 'mid.txt'), 'old\n');
    const turn = await s.codex().startThread({ workingDirectory: s.ws, skipGitRepoCheck: true, sandboxMode: 'workspace-write' }).run('patch it');
    expect(itemsOf(turn.items, 'file_change')).toEqual([
      {
        id: 'item_0',
        type: 'file_change',
        changes: [
          { path: join(s.ws, 'alpha.txt'), kind: 'add' },
          { path: join(s.ws, 'mid.txt'), kind: 'update' },
          { path: join(s.ws, 'zeta.txt'), kind: 'add' },
        ],
        status: 'completed',
      },
    ]);
    expect(turn.items.at(-1)).toEqual({ id: 'item_1', type: 'agent_message', text: 'Patched.' });
    expect(await readFile(join(s.ws, 'mid.txt'), 'utf8')).toBe('new\n');
    expect(await readFile(join(s.ws, 'alpha.txt'), 'utf8')).toBe('a\n');
    await expect(readFile(outside)).rejects.toThrow();
  });

  it('a plan: the todo list, updated and completed with the turn', async ({ onTestFinished }) => {
    const plan = (second: string) => [
      { step: 'read the code', status: 'completed' },
      { step: 'fix the bug', status: second },
    ];
    const s = await sdkScene(
      {
        turns: [
          [{ call: 'update_plan', args: { explanation: 'two steps', plan: plan('in_progress') } }],
          [{ call: 'update_plan', args: { plan: plan('completed') } }],
          [{ text: 'Planned and done.' }],
        ],
      },
      onTestFinished,
    );
    const thread = s.codex().startThread({ workingDirectory: s.ws, skipGitRepoCheck: true });
    const { events } = await streamAll((await thread.runStreamed('plan')).events);
    const todo = events.flatMap((event) => ('item' in event && event.item.type === 'todo_list' ? [[event.type, event.item]] : []));
    expect(todo).toEqual([
      [
        'item.started',
        {
          id: 'item_0',
          type: 'todo_list',
          items: [
            { text: 'read the code', completed: true },
            { text: 'fix the bug', completed: false },
          ],
        },
      ],
      [
        'item.updated',
        {
          id: 'item_0',
          type: 'todo_list',
          items: [
            { text: 'read the code', completed: true },
            { text: 'fix the bug', completed: true },
          ],
        },
      ],
      [
        'item.completed',
        {
          id: 'item_0',
          type: 'todo_list',
          items: [
            { text: 'read the code', completed: true },
            { text: 'fix the bug', completed: true },
          ],
        },
      ],
    ]);
    expect(toolOutputsSeen([s.requests().at(-1)])).toEqual(['Plan updated', 'Plan updated']);
  });

  it('outputSchema: the model is asked for JSON that fits, and the answer is the final response', async ({ onTestFinished }) => {
    const schema = {
      type: 'object',
      properties: { summary: { type: 'string' }, status: { type: 'string', enum: ['ok', 'action_required'] } },
      required: ['summary', 'status'],
      additionalProperties: false,
    };
    const s = await sdkScene({ turns: [[{ text: '{"summary":"all good","status":"ok"}' }]] }, onTestFinished);
    const turn = await s.codex().startThread({ workingDirectory: s.ws, skipGitRepoCheck: true }).run('Summarize repository status', { outputSchema: schema });
    expect(JSON.parse(turn.finalResponse)).toEqual({ summary: 'all good', status: 'ok' });
    expect(s.requests()[0].text).toEqual({ format: { type: 'json_schema', name: 'codex_output_schema', schema, strict: true } });
  });

  it('images: each framed by its number and path before the prompt, on the first turn and on a resumed one', async ({ onTestFinished }) => {
    const s = await sdkScene({ turns: [[{ text: 'Two pixels.' }], [{ text: 'One more.' }]] }, onTestFinished);
    const [first, second] = [join(s.ws, 'ui.png'), join(s.ws, 'diagram.png')];
    await writeFile(first, PNG_1X1);
    await writeFile(second, PNG_1X1);
    const codex = s.codex();
    const options = { workingDirectory: s.ws, skipGitRepoCheck: true };
    const thread = codex.startThread(options);
    await thread.run([
      { type: 'text', text: 'Describe these screenshots' },
      { type: 'local_image', path: first },
      { type: 'local_image', path: second },
    ]);
    // Codex also sends `detail: "original"`; left out here, as servers other than OpenAI's may not know the value.
    const image = { type: 'input_image', image_url: `data:image/png;base64,${PNG_1X1.toString('base64')}` };
    const framed = (n: number, path: string) => [
      { type: 'input_text', text: `<image name=[Image #${n}] path="${path}">` },
      image,
      { type: 'input_text', text: '</image>' },
    ];
    expect(userParts(s.requests()[0]).slice(-7)).toEqual([
      ...framed(1, first),
      ...framed(2, second),
      { type: 'input_text', text: 'Describe these screenshots' },
    ]);

    const resumed = await codex.resumeThread(thread.id!, options).run([
      { type: 'text', text: 'And this one?' },
      { type: 'local_image', path: second },
    ]);
    expect(resumed.finalResponse).toBe('One more.');
    expect(userParts(s.requests()[1]).slice(-4)).toEqual([...framed(1, second), { type: 'input_text', text: 'And this one?' }]);
  });

  it('web search: webSearchMode offers the hosted tool, and its searches are web_search items', async ({ onTestFinished }) => {
    const s = await sdkScene(
      { turns: [[{ webSearch: 'weather in Paris' }, { text: 'It is sunny.' }], [{ text: 'Not searching.' }], [{ text: 'Cached.' }]] },
      onTestFinished,
    );
    const codex = s.codex();
    const base = { workingDirectory: s.ws, skipGitRepoCheck: true };
    const { events } = await streamAll((await codex.startThread({ ...base, webSearchMode: 'live' }).runStreamed('weather?')).events);
    const searches = events.flatMap((event) => ('item' in event && event.item.type === 'web_search' ? [[event.type, event.item]] : []));
    // Codex 0.169 gives this item the provider's id (ws_1_0) and still counts it; ours is numbered like every other item.
    expect(searches).toEqual([
      ['item.started', { id: 'item_0', type: 'web_search', query: '', action: { type: 'other' } }],
      ['item.completed', { id: 'item_0', type: 'web_search', query: 'weather in Paris', action: { type: 'search', query: 'weather in Paris' } }],
    ]);
    const webTools = (n: number) => (s.requests()[n].tools as Array<{ type: string }>).filter((tool) => tool.type === 'web_search');
    expect(webTools(0)).toEqual([{ type: 'web_search', external_web_access: true, search_content_types: ['text', 'image'] }]);

    await codex.startThread({ ...base, webSearchEnabled: false }).run('no search');
    expect(webTools(1)).toEqual([]);
    await codex.startThread({ ...base, webSearchMode: 'cached' }).run('cached search');
    expect(webTools(2)).toEqual([{ type: 'web_search', external_web_access: false, search_content_types: ['text', 'image'] }]);
  });

  it('the config object and thread options reach the request; keys statecraft does not know only warn', async ({ onTestFinished }) => {
    const s = await sdkScene({ turns: [[{ text: 'Configured.' }]] }, onTestFinished);
    const codex = s.codex({
      config: {
        model_reasoning_summary: 'detailed',
        model_verbosity: 'high',
        show_raw_agent_reasoning: true,
        sandbox_workspace_write: { network_access: true },
      },
      configOverrides: ['model_reasoning_summary="concise"'],
    });
    const thread = codex.startThread({
      workingDirectory: s.ws,
      skipGitRepoCheck: true,
      model: 'gpt-5.1-codex-mini',
      modelReasoningEffort: 'high',
      sandboxMode: 'workspace-write',
      networkAccessEnabled: false,
      approvalPolicy: 'on-request',
    });
    const turn = await thread.run('configured?');
    expect(turn.finalResponse).toBe('Configured.');
    const request = s.requests()[0];
    expect(request.model).toBe('gpt-5.1-codex-mini');
    // Raw overrides come after the config object, and thread options after both: the later one wins.
    expect(request.reasoning).toEqual({ effort: 'high', summary: 'concise' });
    expect(request.text).toEqual({ verbosity: 'high' });
    const context = JSON.stringify(userParts(request));
    expect(context).toContain('<network_access>restricted</network_access>');
    expect(context).toContain('<sandbox_mode>workspace-write</sandbox_mode>');
  });

  it('baseUrl and apiKey: the built-in OpenAI provider goes to that URL with that key', async ({ onTestFinished }) => {
    const s = await sdkScene({ turns: [[{ text: 'Hello over baseUrl.' }]] }, onTestFinished);
    // No config.toml: the built-in provider, as a new SDK user has it.
    await rm(join(s.home, 'config.toml'));
    await mkdir(join(s.ws, 'sub'));
    const turn = await s
      .codex({ baseUrl: s.model.url, apiKey: 'sk-sdk-test' })
      .startThread({ workingDirectory: join(s.ws, 'sub'), skipGitRepoCheck: true })
      .run('hi');
    expect(turn.finalResponse).toBe('Hello over baseUrl.');
    expect(s.model.paths[0]).toBe('/v1/responses');
    expect(s.model.headers[0]!['authorization']).toBe('Bearer sk-sdk-test');
  });
});
