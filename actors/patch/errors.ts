/**
 * A patch that cannot be parsed, planned or applied. `file` names the file at fault (as the
 * patch spells it, or absolute once resolved) and `line` the patch or file line that failed,
 * so callers can tell the model precisely what to fix.
 */
export class PatchError extends Error {
  override readonly name = 'PatchError';

  constructor(
    message: string,
    readonly file: string | null = null,
    readonly line: string | null = null,
  ) {
    super(message);
  }
}
