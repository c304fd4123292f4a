import { relative, resolve } from 'node:path';
import { applyPlan, describeUnwritable, parsePatch, planPatch, unwritableTargets } from '../../actors/patch/index.js';
import { errorMessage } from '../../protocol/index.js';

/**
 * `statecraft apply-patch [-C DIR]`: applies a patch from stdin with the agent's parser and
 * its all-or-nothing writes, prints the files it changed, and fails with the parser's
 * message. Paths outside DIR (symlinks followed) and in its .git, .statecraft or .codex are
 * refused: the agent would have asked first.
 */
export async function runApplyPatch(
  flags: { cd?: string },
  io: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const cwd = resolve(flags.cd ?? process.cwd());
  let text = '';
  for await (const chunk of io.stdin) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  try {
    const plan = await planPatch(parsePatch(text), { cwd });
    // DIR is the one writable root, with the same protected folders as the agent's sandbox.
    const unwritable = await unwritableTargets(plan, [cwd]);
    if (unwritable.length > 0) {
      io.stderr.write(
        `statecraft apply-patch: refusing to write outside ${cwd} or in its protected folders: ${unwritable.map(describeUnwritable).join('; ')}\n`,
      );
      return 1;
    }
    await applyPlan(plan);
    const letter = { add: 'A', update: 'M', delete: 'D' } as const;
    for (const change of plan.changes) {
      const moved = change.movePath ? ` -> ${relative(cwd, change.movePath)}` : '';
      io.stdout.write(`${letter[change.kind]} ${relative(cwd, change.path)}${moved}\n`);
    }
    return 0;
  } catch (error) {
    const message = errorMessage(error);
    io.stderr.write(`statecraft apply-patch: ${message}\n`);
    return 1;
  }
}
