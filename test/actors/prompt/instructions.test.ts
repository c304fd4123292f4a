import { describe, expect, it } from 'vitest';
import { environmentContext, instructionsFor } from '../../../actors/prompt/index.js';
import { settingsFor } from './fixtures.js';

describe('instructionsFor', () => {
  it('describes the sandbox mode and approval policy in effect', () => {
    const text = instructionsFor(settingsFor('/repo', { approvalPolicy: 'on-request', sandboxMode: 'workspace-write' }));
    expect(text).toContain('statecraft');
    expect(text).toContain('workspace-write');
    expect(text).toContain('on-request');
    expect(text).toContain('require_escalated');
    expect(text).toContain('exec_command');
    expect(text).toContain('view_image');
  });

  it('tells the model not to ask under never, and leaves view_image out when disabled', () => {
    const text = instructionsFor(settingsFor('/repo', { approvalPolicy: 'never', sandboxMode: 'read-only', tools: { viewImage: false } }));
    expect(text).toContain('never');
    expect(text).toContain('read-only');
    expect(text).toMatch(/Do not request escalation/);
    expect(text).not.toContain('view_image');
  });

  it('uses baseInstructions verbatim when set', () => {
    expect(instructionsFor(settingsFor('/repo', { baseInstructions: 'custom rules' }))).toBe('custom rules');
  });
});

describe('environmentContext', () => {
  it('renders the reference XML-ish shape', () => {
    const text = environmentContext(settingsFor('/repo', { writableRoots: ['/extra'], shell: '/usr/bin/zsh' }), new Date(2026, 10, 24, 12));
    expect(text.startsWith('<environment_context>\n  <cwd>/repo</cwd>')).toBe(true);
    expect(text).toContain('<approval_policy>on-request</approval_policy>');
    expect(text).toContain('<sandbox_mode>workspace-write</sandbox_mode>');
    expect(text).toContain('<network_access>restricted</network_access>');
    expect(text).toContain('<writable_roots>\n    <root>/repo</root>\n    <root>/extra</root>\n  </writable_roots>');
    expect(text).toContain('<shell>zsh</shell>');
    expect(text).toContain('<current_date>2026-11-24</current_date>');
    expect(text.endsWith('</environment_context>')).toBe(true);
  });

  it('reports network enabled and no writable roots under full access', () => {
    const text = environmentContext(settingsFor('/repo', { sandboxMode: 'danger-full-access' }));
    expect(text).toContain('<network_access>enabled</network_access>');
    expect(text).not.toContain('writable_roots');
  });
});
