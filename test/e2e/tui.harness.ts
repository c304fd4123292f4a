import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterEach, expect } from 'vitest';
import { shellQuote } from '../../actors/exec/index.js';
import { CLI, type Scene } from './cli.harness.js';

/** How long a screen may take to show what a test waits for, on a busy machine. */
const PATIENCE_MS = 60_000;

/** Whether tmux is installed here (the tmux tests are skipped without it). */
export const hasTmux = (() => {
  try {
    execSync('command -v tmux', { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface TuiOptions {
  /** Variables set for the UI besides the scene's (NO_COLOR, ...). */
  env?: Record<string, string>;
  /** The terminal's size, columns by rows (100x30 unless given). */
  size?: [number, number];
}

/**
 * The built CLI's interactive UI in a detached tmux session, in the scene's workspace with its
 * own home. Screens are read with capture-pane; keys are sent with send-keys.
 */
export class TmuxTui {
  private constructor(readonly name: string) {}

  static async start(s: Scene, args: string[], options: TuiOptions = {}): Promise<TmuxTui> {
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
      ...Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`),
    ];
    // After the UI ends, the pane stays to show its exit status (and to keep the terminal to inspect).
    const script = `${[...env, ...argv].map(shellQuote).join(' ')}; echo "EXITED=$?"; sleep 600`;
    const [columns, rows] = options.size ?? [100, 30];
    await execa('tmux', ['new-session', '-d', '-x', String(columns), '-y', String(rows), '-s', name, '-c', s.workspace, script]);
    return new TmuxTui(name);
  }

  /** The screen as text; with `escapes`, with the SGR sequences of its colours and attributes. */
  async screen(escapes = false): Promise<string> {
    const { stdout } = await execa('tmux', ['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', this.name]);
    return stdout;
  }

  /** Resizes the terminal, as a person dragging the window's corner does. */
  async resize(columns: number, rows: number): Promise<void> {
    await execa('tmux', ['resize-window', '-t', this.name, '-x', String(columns), '-y', String(rows)]);
  }

  /** Polls the screen until `wanted` is on it (a string, or a test of the whole screen). */
  async waitFor(wanted: string | ((screen: string) => boolean | Promise<boolean>)): Promise<string> {
    const test = typeof wanted === 'string' ? (screen: string) => screen.includes(wanted) : wanted;
    const deadline = Date.now() + PATIENCE_MS;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await this.screen();
      if (await test(screen)) return screen;
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

  /** Text typed literally, then Enter: a line sent, as a person sends it. */
  async typeLine(text: string): Promise<void> {
    await this.type(text);
    await this.keys('Enter');
  }

  /** The pane's terminal device, to check its settings once the UI is gone. */
  async tty(): Promise<string> {
    const { stdout } = await execa('tmux', ['display', '-p', '-t', this.name, '#{pane_tty}']);
    return stdout.trim();
  }

  /** The terminal's line settings as `stty -a` prints them (echo, icanon, ...). */
  async ttySettings(): Promise<string> {
    return execSync(`stty -a -F ${await this.tty()}`).toString();
  }

  /** Whether the terminal shows its cursor now. */
  async cursorShown(): Promise<boolean> {
    const { stdout } = await execa('tmux', ['display', '-p', '-t', this.name, '#{cursor_flag}']);
    return stdout.trim() === '1';
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

/** What a test opens: its scene and the terminal UI running in it, both ended after each test. */
export function openedPerTest(): { scene: Scene | null; tui: TmuxTui | null } {
  const opened: { scene: Scene | null; tui: TmuxTui | null } = { scene: null, tui: null };
  afterEach(async () => {
    await opened.tui?.kill();
    opened.tui = null;
    await opened.scene?.cleanup();
    opened.scene = null;
  });
  return opened;
}

/** Quits with Ctrl+C twice and checks the terminal is back in cooked mode with the cursor shown. */
export async function quitAndCheckTerminal(ui: TmuxTui): Promise<void> {
  await ui.keys('C-c');
  await ui.waitFor('Ctrl+C again to quit');
  await ui.keys('C-c');
  await ui.waitFor('EXITED=0');
  const settings = await ui.ttySettings();
  expect(settings).toMatch(/(^|\s)icanon(\s|$)/);
  expect(settings).toMatch(/(^|\s)echo(\s|$)/);
  expect(await ui.cursorShown()).toBe(true);
}
