import { describe, expect, it } from 'vitest';
import { toolSpecs } from '../../../actors/tools/index.js';
import { ToolSpec } from '../../../protocol/index.js';
import { settingsFixture } from '../../machines/fixtures.js';

/** A tool's name; the hosted web search is known by its type. */
const nameOf = (spec: ToolSpec) => ('name' in spec ? spec.name : spec.type);

const byName = (specs: ToolSpec[], name: string) => {
  const spec = specs.find((s) => nameOf(s) === name);
  if (!spec || spec.type !== 'function') throw new Error(`no function tool ${name}`);
  return spec;
};

describe('toolSpecs', () => {
  it('offers the tools, apply_patch as a freeform tool with a grammar, and drops view_image when it is turned off', () => {
    const on = toolSpecs(settingsFixture());
    expect(on.map(nameOf)).toEqual(['exec_command', 'write_stdin', 'update_plan', 'apply_patch', 'view_image']);
    for (const spec of on) expect(ToolSpec.parse(spec)).toEqual(spec);
    const patch = on.find((s) => nameOf(s) === 'apply_patch');
    expect(patch).toMatchObject({ type: 'custom', format: { type: 'grammar', syntax: 'lark' } });
    const off = toolSpecs(settingsFixture({ tools: { viewImage: false } }));
    expect(off.map(nameOf)).toEqual(['exec_command', 'write_stdin', 'update_plan', 'apply_patch']);
  });

  it('offers apply_patch as a function with an input string to chat providers, which have no freeform tools', () => {
    const settings = settingsFixture();
    const chat = toolSpecs({ ...settings, provider: { ...settings.provider, wireApi: 'chat' } });
    const patch = byName(chat, 'apply_patch');
    expect((patch.parameters as Record<string, any>).required).toEqual(['input']);
  });

  it('gives exec_command a plain object schema the Responses API accepts', () => {
    const spec = byName(toolSpecs(settingsFixture()), 'exec_command');
    expect(spec.strict).toBe(false);
    const params = spec.parameters as Record<string, any>;
    expect(params.$schema).toBeUndefined();
    expect(params.type).toBe('object');
    expect(params.required).toEqual(['cmd']);
    expect(params.additionalProperties).toBe(false);
    expect(params.properties.cmd.type).toBe('string');
    expect(params.properties.workdir).toMatchObject({ type: 'string' });
    expect(params.properties.sandbox_permissions).toMatchObject({ type: 'string', enum: ['use_default', 'require_escalated'] });
    expect(params.properties.sandbox_permissions.anyOf).toBeUndefined();
    expect(params.properties.yield_time_ms).toEqual(expect.objectContaining({ type: 'integer', minimum: 0 }));
    expect(params.properties.yield_time_ms.maximum).toBeUndefined();
    expect(params.properties.max_output_tokens).toMatchObject({ type: 'integer', minimum: 1 });
    expect(spec.description).toMatch(/session ID/);
    expect(spec.description).toMatch(/require_escalated/);
  });

  it('describes the plan schema with its status enum', () => {
    const params = byName(toolSpecs(settingsFixture()), 'update_plan').parameters as Record<string, any>;
    expect(params.required).toEqual(['plan']);
    const step = params.properties.plan.items;
    expect(step).toMatchObject({ type: 'object', required: ['step', 'status'], additionalProperties: false });
    expect(step.properties.status.enum).toEqual(['pending', 'in_progress', 'completed']);
    const stdin = byName(toolSpecs(settingsFixture()), 'write_stdin').parameters as Record<string, any>;
    expect(stdin.required).toEqual(['session_id']);
    expect(stdin.properties.session_id.type).toBe('integer');
  });
});
