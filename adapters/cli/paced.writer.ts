import { OutputBacklog, type Overflow } from '../shared/index.js';

type Style = (text: string) => string;

interface Piece {
  text: string;
  /** Set for command output: its stream and what it holds against that stream's backlog. */
  stream?: { name: string; cost: number };
  overflow?: { name: string; overflow: Overflow; style: Style };
}

const plain: Style = (text) => text;

/**
 * Writes a transcript to a stream that may be read slowly (a pipe, a paused terminal).
 * Text goes straight through while the reader keeps up and waits here, in order, while it
 * does not, so nothing piles up inside the stream. Waiting command output is bounded per
 * command: past the budget its middle gives way to a marker (see OutputBacklog).
 */
export class PacedWriter {
  private readonly queue: Piece[] = [];
  private blocked = false;
  private readonly backlog: OutputBacklog;

  constructor(
    private readonly out: NodeJS.WritableStream,
    budget?: number,
  ) {
    this.backlog = new OutputBacklog(budget);
  }

  /** Transcript text, always written whole. */
  write(text: string): void {
    this.queue.push({ text });
    this.flush();
  }

  /** Output of the command `stream`, styled as it is written; its middle may be left out for a lagging reader. */
  output(stream: string, text: string, style: Style = plain): void {
    const admission = this.backlog.admit(stream, text);
    if (admission.kind === 'absorbed') return;
    if (admission.kind === 'overflow') this.queue.push({ text: '', overflow: { name: stream, overflow: admission.overflow, style } });
    else this.queue.push({ text: style(text), stream: { name: stream, cost: text.length } });
    this.flush();
  }

  private flush(): void {
    while (!this.blocked && this.queue.length > 0) {
      const piece = this.queue.shift()!;
      if (piece.stream) this.backlog.written(piece.stream.name, piece.stream.cost);
      const text = piece.overflow ? piece.overflow.style(this.backlog.release(piece.overflow.name, piece.overflow.overflow)) : piece.text;
      if (!this.out.write(text)) {
        this.blocked = true;
        this.out.once('drain', () => {
          this.blocked = false;
          this.flush();
        });
      }
    }
  }
}
