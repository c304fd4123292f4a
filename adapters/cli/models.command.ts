import { errorMessage } from '../../protocol/index.js';
import { commandRuntime, type CommandRuntimeIo } from './command.runtime.js';

export interface ModelsListFlags {
  json: boolean;
  includeHidden: boolean;
  provider?: string;
  cd?: string;
  config: string[];
}

interface ModelsIo extends CommandRuntimeIo {
  stdout: NodeJS.WritableStream;
}

/**
 * `statecraft models list`: the models a thread started here could use, as `model/list` gives
 * them: what the configured provider serves, merged with the built-in catalog. A provider that
 * cannot be asked is reported on stderr and the built-in models are listed instead.
 * Returns the exit status: 1 when the configuration cannot be read.
 */
export async function runModelsList(flags: ModelsListFlags, io: ModelsIo): Promise<number> {
  const cwd = flags.cd ?? process.cwd();
  try {
    const runtime = await commandRuntime(io, cwd, flags.config);
    const listing = await runtime.models({ cwd, ...(flags.provider !== undefined ? { modelProvider: flags.provider } : {}) });
    if (listing.warning !== null) io.stderr.write(`warning: ${listing.warning}\n`);
    const models = listing.models.filter((model) => flags.includeHidden || !model.hidden);
    if (flags.json) {
      io.stdout.write(`${JSON.stringify({ provider: listing.provider, data: models }, null, 2)}\n`);
      return 0;
    }
    for (const model of models) {
      const marks = [model.isDefault ? 'default' : null, model.hidden ? 'hidden' : null, model.upgrade ? `newer: ${model.upgrade}` : null].filter(Boolean);
      const efforts = model.supportedReasoningEfforts.map((option) => option.reasoningEffort);
      io.stdout.write(`${model.id}${marks.length ? ` (${marks.join(', ')})` : ''}  ${model.description}\n`);
      if (efforts.length) io.stdout.write(`  reasoning efforts: ${efforts.join(', ')} (default ${model.defaultReasoningEffort})\n`);
    }
    return 0;
  } catch (error) {
    io.stderr.write(`statecraft models list: ${errorMessage(error)}\n`);
    return 1;
  }
}
