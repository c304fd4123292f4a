import { errorMessage } from '../../protocol/index.js';
import { commandRuntime, type CommandRuntimeIo } from './command.runtime.js';

export interface SkillsListFlags {
  json: boolean;
  cd?: string;
  config: string[];
}

interface SkillsIo extends CommandRuntimeIo {
  stdout: NodeJS.WritableStream;
}

/**
 * `statecraft skills list`: the skills a thread started here would load (user skills, and
 * the project's when it is trusted), with the files that could not be loaded and why.
 * Returns the exit status: 1 when the configuration cannot be read.
 */
export async function runSkillsList(flags: SkillsListFlags, io: SkillsIo): Promise<number> {
  const cwd = flags.cd ?? process.cwd();
  try {
    const runtime = await commandRuntime(io, cwd, flags.config);
    const settings = await runtime.resolveSettings({ cwd });
    const { skills, errors } = await runtime.skills(settings.cwd, settings.projectTrusted);
    if (flags.json) {
      io.stdout.write(`${JSON.stringify({ cwd: settings.cwd, skills, errors }, null, 2)}\n`);
      return 0;
    }
    if (skills.length === 0)
      io.stdout.write(`no skills for ${settings.cwd}${settings.projectTrusted ? '' : ' (project skills are read only in trusted projects)'}\n`);
    for (const skill of skills) io.stdout.write(`${skill.name} (${skill.scope})  ${skill.shortDescription ?? skill.description}\n  ${skill.path}\n`);
    for (const problem of errors) io.stderr.write(`error: ${problem.path}: ${problem.message}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`statecraft skills list: ${errorMessage(error)}\n`);
    return 1;
  }
}
