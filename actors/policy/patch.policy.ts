import { dirname, isAbsolute, relative, sep } from 'node:path';
import type { PolicyCheckInput, PolicyVerdict } from '../../machines/index.js';
import { PlainApprovalDecision } from '../../protocol/index.js';

/** Whether `target` is `root` or lies below it, comparing the paths as written (no symlinks followed). */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The directory "accept for session" opens to patches: the deepest one holding every path the patch writes outside the roots. */
export function patchGrantRoot(paths: string[]): string | null {
  if (paths.length === 0) return null;
  let root = dirname(paths[0]!);
  while (!paths.every((path) => isInside(root, path))) root = dirname(root);
  return root;
}

/**
 * Whether a patch is written at once, asked about, or refused, given the files it writes
 * where a sandboxed command could not (described one per entry: outside the writable roots
 * once symlinks are followed, or in a protected folder): where a command could write, it
 * is applied under on-request and on-failure; elsewhere, or under untrusted, the user is
 * asked (nobody can be under never); a root accepted for the session is not asked again.
 */
export function checkPatchPolicy(input: PolicyCheckInput, unwritable: string[]): PolicyVerdict {
  const { prepared, approvalPolicy, sessionGrants } = input;
  if (prepared.kind !== 'patch') return { decision: 'run', mode: 'sandboxed' };
  if (sessionGrants.includes(prepared.grantKey)) return { decision: 'run', mode: 'sandboxed' };
  if (unwritable.length === 0 && approvalPolicy !== 'untrusted') return { decision: 'run', mode: 'sandboxed' };
  const reason = unwritable.length > 0 ? `the patch writes where the sandbox would not let a command write: ${unwritable.join('; ')}` : null;
  if (approvalPolicy === 'never') {
    return {
      decision: 'refuse',
      message: `apply_patch was not applied: ${reason ?? 'it needs approval'}, and the approval policy is "never", so nobody can approve it.`,
    };
  }
  return { decision: 'ask', reason, proposedAmendment: null, availableDecisions: [...PlainApprovalDecision.options], modeAfterApproval: 'sandboxed' };
}
