import { readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import type { ThreadSettings } from '../../protocol/index.js';

export const ENVIRONMENT_CONTEXT_OPEN = '<environment_context>';

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const pad = (n: number) => String(n).padStart(2, '0');

/** The local calendar date as YYYY-MM-DD. */
function isoDate(now: Date): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * The IANA name of the local time zone. Without TZ it is the zone /etc/localtime links to,
 * named as Codex names it ("Etc/UTC", where ICU would say "UTC"); ICU answers only when TZ is
 * set or the link says nothing, as its first use costs ~20 ms of start-up.
 */
function timeZone(): string | null {
  if (!process.env.TZ) {
    try {
      const zone = readlinkSync('/etc/localtime').split('zoneinfo/')[1];
      if (zone) return zone;
    } catch {
      // no link (not Linux, or a copied file): ask ICU
    }
  }
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

/** Directories the sandbox lets commands write to; empty unless the mode is workspace-write. */
function writableRoots(settings: ThreadSettings): string[] {
  if (settings.sandboxMode !== 'workspace-write') return [];
  return [...new Set([settings.cwd, ...settings.writableRoots])];
}

/** The <environment_context> text sent to the model so it knows where and how it runs. */
export function environmentContext(settings: ThreadSettings, now: Date = new Date()): string {
  const network = settings.sandboxMode === 'danger-full-access' || settings.networkAccess ? 'enabled' : 'restricted';
  const lines = [
    ENVIRONMENT_CONTEXT_OPEN,
    `  <cwd>${escapeXml(settings.cwd)}</cwd>`,
    `  <approval_policy>${settings.approvalPolicy}</approval_policy>`,
    `  <sandbox_mode>${settings.sandboxMode}</sandbox_mode>`,
    `  <network_access>${network}</network_access>`,
  ];
  const roots = writableRoots(settings);
  if (roots.length > 0) {
    lines.push('  <writable_roots>', ...roots.map((root) => `    <root>${escapeXml(root)}</root>`), '  </writable_roots>');
  }
  lines.push(`  <shell>${escapeXml(basename(settings.shell) || settings.shell)}</shell>`);
  lines.push(`  <current_date>${isoDate(now)}</current_date>`);
  const zone = timeZone();
  if (zone) lines.push(`  <timezone>${escapeXml(zone)}</timezone>`);
  lines.push('</environment_context>');
  return lines.join('\n');
}
