import { dirname, isAbsolute, relative, sep } from 'node:path';
import type { PolicyCheckInput, PolicyVerdict } from '../../machines/index.js';
import { PlainApprovalDecision } from '../../protocol/index.js';

/** Whether `target` is `root` or lies below it, comparing the paths as written (no symlinks followed). */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The paths no writable root holds (none when there are no roots to respect, as under danger-full-access). */
export const pathsOutside = (paths: string[], writableRoots: string[] | null): string[] =>
  writableRoots === null ? [] : paths.filter((path) => !writableRoots.some((root) => isInside(root, path)));

/** The directory "accept for session" opens to patches: the deepest one holding every path the patch writes outside the roots. */
export function patchGrantRoot(paths: string[]): string | null {
  if (paths.length === 0) return null;
  let root = dirname(paths[0]!);
  while (!paths.every((path) => isInside(root, path))) root = dirname(root);
  return root;
}

/**
 * Whether a patch is written at once, asked about, or refused, given the files it writes
 * outside the writable roots (see pathsOutside): inside the writable roots it
 * is applied under on-request and on-failure; outside them, or under untrusted, the user is
 * asked (nobody can be under never); a root accepted for the session is not asked again.
 */
export function checkPatchPolicy(input: PolicyCheckInput, outside: string[]): PolicyVerdict {
  const { prepared, approvalPolicy, sessionGrants } = input;
  if (prepared.kind !== 'patch') return { decision: 'run', mode: 'sandboxed' };
  if (sessionGrants.includes(prepared.grantKey)) return { decision: 'run', mode: 'sandboxed' };
  if (outside.length === 0 && approvalPolicy !== 'untrusted') return { decision: 'run', mode: 'sandboxed' };
  const reason = outside.length > 0 ? `the patch writes outside the writable roots: ${outside.join(', ')}` : null;
  if (approvalPolicy === 'never') {
    return { decision: 'refuse', message: `apply_patch was not applied: ${reason ?? 'it needs approval'}, and the approval policy is "never", so nobody can approve it.` };
  }
  return { decision: 'ask', reason, proposedAmendment: null, availableDecisions: [...PlainApprovalDecision.options], modeAfterApproval: 'sandboxed' };
}
