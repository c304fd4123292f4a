import { concat, defer, type Observable, ReplaySubject, Subject } from 'rxjs';

/**
 * A thread's event stream as subscribers see it. What is published before the thread's first
 * turn (thread/started, a resumed thread's status and usage) is kept and replayed to anyone who
 * subscribes before that turn, so a client or the rollout attached a little late misses
 * nothing. From the first turn on the stream is live only, and nothing more is kept.
 */
export class StartupReplay<T> {
  private readonly startup = new ReplaySubject<T>();
  private readonly live = new Subject<T>();
  private replaying = true;

  /** Subscribers before the first turn get the start-up events, then everything live. */
  readonly events$: Observable<T> = defer(() => (this.replaying ? concat(this.startup, this.live) : this.live));

  next(value: T): void {
    if (this.replaying) this.startup.next(value);
    else this.live.next(value);
  }

  /** The first turn starts: start-up events stop being kept. */
  settle(): void {
    if (!this.replaying) return;
    this.replaying = false;
    this.startup.complete();
  }

  complete(): void {
    this.settle();
    this.live.complete();
  }

  error(error: unknown): void {
    this.settle();
    this.live.error(error);
  }
}
