import { readFileSync } from 'node:fs';
import { arch, platform, release } from 'node:os';

/** The operating system as user agents name it, e.g. "Debian 12.0.0". */
function osDescription(): string {
  try {
    const release = Object.fromEntries<string | undefined>(
      readFileSync('/etc/os-release', 'utf8')
        .split('\n')
        .map((line) => /^(\w+)="?([^"]*)"?$/.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => [match[1]!, match[2]]),
    );
    if (release.NAME) {
      const name = release.NAME.replace(/ GNU\/Linux$/, '');
      const version = release.VERSION_ID ? release.VERSION_ID.split('.').concat(['0', '0']).slice(0, 3).join('.') : '';
      return version ? `${name} ${version}` : name;
    }
  } catch {
    // not Linux, or no os-release: fall through to what Node knows
  }
  return `${platform()} ${release()}`;
}

const archName = () => ({ x64: 'x86_64', arm64: 'aarch64' })[arch() as 'x64' | 'arm64'] ?? arch();

/**
 * The user agent of a client a server talks to, as Codex builds it:
 * `name/version (OS; arch) terminal (name; client version)`, with statecraft's version.
 */
export function clientUserAgent(client: { name: string; version: string }, version: string, env: NodeJS.ProcessEnv): string {
  const terminal = env.TERM_PROGRAM ?? env.TERM ?? 'unknown';
  return `${client.name}/${version} (${osDescription()}; ${archName()}) ${terminal} (${client.name}; ${client.version})`;
}
