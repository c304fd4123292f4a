import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How many earlier prompts Up can reach. */
const KEPT = 500;

/**
 * The prompts typed in earlier sessions, kept as Codex keeps them: `history.jsonl` in the
 * home, one `{session_id, ts, text}` per line. A file that cannot be read is no history.
 */
export class PromptHistory {
  private entries: string[] = [];
  private readonly file: string;

  constructor(home: string) {
    this.file = join(home, 'history.jsonl');
  }

  async load(): Promise<void> {
    const text = await readFile(this.file, 'utf8').catch(() => '');
    const loaded: string[] = [];
    for (const line of text.split('\n')) {
      try {
        const record = JSON.parse(line) as { text?: unknown };
        if (typeof record.text === 'string') loaded.push(record.text);
      } catch {
        // a torn or foreign line is skipped
      }
    }
    this.entries = loaded.slice(-KEPT);
  }

  all(): readonly string[] {
    return this.entries;
  }

  async add(sessionId: string, text: string): Promise<void> {
    if (this.entries.at(-1) !== text) this.entries.push(text);
    const record = JSON.stringify({ session_id: sessionId, ts: Math.floor(Date.now() / 1000), text });
    await appendFile(this.file, `${record}\n`).catch(() => {});
  }
}
