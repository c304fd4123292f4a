import { describe, expect, it } from 'vitest';
import { parseToolArgs } from '../../../actors/tools/index.js';
import type { ToolCallRequest } from '../../../machines/index.js';

const call = (name: string, args: unknown): ToolCallRequest => ({
  callId: 'call_1',
  name,
  kind: 'function',
  payload: typeof args === 'string' ? args : JSON.stringify(args),
});

const messageOf = (name: string, args: unknown) => {
  const parsed = parseToolArgs(call(name, args));
  if (parsed.tool !== 'invalid') throw new Error(`expected invalid, got ${parsed.tool}`);
  return parsed.message;
};

describe('parseToolArgs', () => {
  it('reads exec_command arguments', () => {
    expect(
      parseToolArgs(call('exec_command', { cmd: 'ls', workdir: 'src', yield_time_ms: 500, sandbox_permissions: 'require_escalated', justification: 'why' })),
    ).toEqual({
      tool: 'exec_command',
      args: { cmd: 'ls', workdir: 'src', yield_time_ms: 500, sandbox_permissions: 'require_escalated', justification: 'why' },
    });
  });

  it('takes null for optional fields', () => {
    const parsed = parseToolArgs(call('exec_command', { cmd: 'ls', workdir: null, yield_time_ms: null, sandbox_permissions: null, login: null }));
    expect(parsed.tool).toBe('exec_command');
    if (parsed.tool === 'exec_command') expect(parsed.args.workdir ?? 'default').toBe('default');
    expect(parseToolArgs(call('write_stdin', { session_id: 3, chars: null }))).toEqual({ tool: 'write_stdin', args: { session_id: 3, chars: null } });
    expect(parseToolArgs(call('view_image', { path: 'a.png' }))).toEqual({ tool: 'view_image', args: { path: 'a.png' } });
  });

  it('names the tool and the JSON error for bad JSON', () => {
    expect(messageOf('exec_command', '{"cmd": ')).toMatch(/^exec_command: failed to parse arguments as JSON: /);
  });

  it('names each bad field', () => {
    expect(messageOf('exec_command', { cmd: 5 })).toBe('exec_command: invalid arguments: cmd: Invalid input: expected string, received number');
    const message = messageOf('exec_command', { cmd: '', sandbox_permissions: 'root', yield_time_ms: -1 });
    expect(message).toMatch(/cmd: must not be empty/);
    expect(message).toMatch(/sandbox_permissions: /);
    expect(message).toMatch(/yield_time_ms: /);
    expect(messageOf('write_stdin', { session_id: 'x' })).toMatch(/^write_stdin: invalid arguments: session_id: /);
    expect(messageOf('update_plan', { plan: [{ step: 'a', status: 'done' }] })).toMatch(/plan\.0\.status: /);
  });

  it('rejects unknown tools', () => {
    expect(messageOf('apply_magic', {})).toBe('unsupported call: apply_magic');
  });

  it('accepts a plan with one step in progress and rejects two', () => {
    const plan = [
      { step: 'read', status: 'completed' },
      { step: 'edit', status: 'in_progress' },
      { step: 'test', status: 'pending' },
    ];
    expect(parseToolArgs(call('update_plan', { explanation: null, plan }))).toMatchObject({ tool: 'update_plan', args: { plan } });
    const two = plan.map((s) => ({ ...s, status: 'in_progress' }));
    expect(messageOf('update_plan', { plan: two })).toBe('update_plan: invalid arguments: plan: at most one step may be in_progress');
  });
});

describe('parseToolArgs: apply_patch', () => {
  const patch = '*** Begin Patch\n*** Add File: a.txt\n+a\n*** End Patch\n';

  it('takes the freeform tool input as the patch', () => {
    expect(parseToolArgs({ callId: 'c', name: 'apply_patch', kind: 'custom', payload: patch })).toEqual({ tool: 'apply_patch', patch, workdirs: [] });
  });

  it('takes the function form input string as the patch', () => {
    expect(parseToolArgs(call('apply_patch', { input: patch }))).toEqual({ tool: 'apply_patch', patch, workdirs: [] });
    expect(messageOf('apply_patch', {})).toMatch(/^apply_patch: invalid arguments: input:/);
  });

  it('recognises a shell call that only runs apply_patch with a heredoc, so it is not run as a command', () => {
    const parsed = parseToolArgs(call('exec_command', { cmd: `apply_patch <<'EOF'\n${patch}EOF\n`, workdir: 'sub' }));
    expect(parsed).toEqual({ tool: 'apply_patch', patch: expect.stringContaining('*** Add File: a.txt'), workdirs: ['sub'] });
    const moved = parseToolArgs(call('exec_command', { cmd: `cd 'pkg a' && apply_patch <<'EOF'\n${patch}EOF\n`, workdir: 'sub' }));
    expect(moved).toEqual({ tool: 'apply_patch', patch: expect.stringContaining('*** Add File: a.txt'), workdirs: ['sub', 'pkg a'] });
    const wrapped = parseToolArgs(call('exec_command', { cmd: `bash -lc "cd /abs && apply_patch <<'EOF'\n${patch}EOF\n"` }));
    expect(wrapped).toMatchObject({ tool: 'apply_patch', workdirs: ['/abs'] });
    // Anything more than a cd before the patch is a command like any other.
    expect(parseToolArgs(call('exec_command', { cmd: `rm -rf x && apply_patch <<'EOF'\n${patch}EOF\n` })).tool).toBe('exec_command');
    expect(parseToolArgs(call('exec_command', { cmd: 'echo apply_patch' })).tool).toBe('exec_command');
  });
});
