/**
 * How a refusal by the sandbox shows in a failed command's output: a write to a
 * read-only mount, a permission error, or networking that is not there.
 */
const DENIAL =
  /read-only file system|permission denied|operation not permitted|network is unreachable|could not resolve host|temporary failure in name resolution|name or service not known/i;

/** The output line that shows the sandbox refused the command, or null when it failed for other reasons (or did not fail). */
export function sandboxDenialIn(output: string, exitCode: number | null): string | null {
  if (exitCode === 0) return null;
  return (
    output
      .split('\n')
      .find((line) => DENIAL.test(line))
      ?.trim() ?? null
  );
}
