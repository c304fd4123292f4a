/** Why a configuration could not be used; lets callers react without parsing the message. */
export type ConfigErrorCode =
  | 'read' // a config file exists but cannot be read
  | 'syntax' // a config file or -c value is not valid TOML / key=value
  | 'type' // a key holds a value of the wrong type
  | 'key' // an unknown key in a table where a typo would weaken the sandbox
  | 'profile' // the selected profile is not defined
  | 'provider' // the selected model provider is unknown or incomplete
  | 'cwd' // the working directory does not exist
  | 'instructions' // the instructions file cannot be read
  | 'mcp' // an MCP server's table names no way (or two ways) to reach it
  | 'effort'; // the reasoning effort is not one the model supports

/**
 * A configuration problem the user must fix. The message always starts with where the
 * problem is (a file, or the -c flag) so it can be shown as is.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly code: ConfigErrorCode,
    /** The file path, or the flag (`-c key=value`) or layer the bad value came from. */
    readonly source: string,
    /** The dotted key at fault, when the problem is one key. */
    readonly key: string | null,
    detail: string,
  ) {
    super(key === null ? `${source}: ${detail}` : `${source}: ${key}: ${detail}`);
  }
}
