import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { shellQuote } from '../../actors/exec/index.js';
import { CLI, type Scene } from './cli.harness.js';

/** How long a screen may take to show what a test waits for, on a busy machine. */
const PATIENCE_MS = 60_000;

/**
 * The built CLI's interactive UI in a detached tmux session of 100x30, in the scene's workspace
 * with its own home. Screens are read with capture-pane; keys are sent with send-keys.
 */
export class TmuxTui {
  private constructor(readonly name: string) {}

  static async start(s: Scene, args: string[]): Promise<TmuxTui> {
    const name = `statecraft-tui-${randomUUID().slice(0, 8)}`;
    const argv = ['node', CLI, ...s.providerFlags, ...args];
    const env = [
      'env',
      '-i',
      `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`,
      `HOME=${s.root}`,
      `STATECRAFT_HOME=${s.home}`,
      'OPENAI_API_KEY=',
      'TERM=xterm-256color',
    ];
    // After the UI ends, the pane stays to show its exit status (and to keep the terminal to inspect).
    const script = `${[...env, ...argv].map(shellQuote).join(' ')}; echo "EXITED=$?"; sleep 600`;
    await execa('tmux', ['new-session', '-d', '-x', '100', '-y', '30', '-s', name, '-c', s.workspace, script]);
    return new TmuxTui(name);
  }

  async screen(): Promise<string> {
    const { stdout } = await execa('tmux', ['capture-pane', '-p', '-t', this.name]);
    return stdout;
  }

  /** Polls the screen until `wanted` is on it (a string, or a test of the whole screen). */
  async waitFor(wanted: string | ((screen: string) => boolean)): Promise<string> {
    const test = typeof wanted === 'string' ? (screen: string) => screen.includes(wanted) : wanted;
    const deadline = Date.now() + PATIENCE_MS;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await this.screen();
      if (test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the screen did not show ${typeof wanted === 'string' ? JSON.stringify(wanted) : 'what was expected'} in time; it shows:\n${screen}`);
  }

  /** Keys by tmux name (Enter, Escape, C-c, ...), each sent on its own as a person types them. */
  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) await execa('tmux', ['send-keys', '-t', this.name, key]);
  }

  /** Text typed literally. */
  async type(text: string): Promise<void> {
    await execa('tmux', ['send-keys', '-t', this.name, '-l', text]);
  }

  /** The pane's terminal device, to check its settings once the UI is gone. */
  async tty(): Promise<string> {
    const { stdout } = await execa('tmux', ['display', '-p', '-t', this.name, '#{pane_tty}']);
    return stdout.trim();
  }

  /** The pid of the UI's node process (the pane's shell's child). */
  async pid(): Promise<number | null> {
    const { stdout } = await execa('tmux', ['display', '-p', '-t', this.name, '#{pane_pid}']);
    const shell = stdout.trim();
    try {
      const children = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      return children.length > 0 ? Number(children[0]) : null;
    } catch {
      return null;
    }
  }

  async kill(): Promise<void> {
    await execa('tmux', ['kill-session', '-t', this.name], { reject: false });
  }
}
