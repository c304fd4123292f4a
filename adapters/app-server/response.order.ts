import { BehaviorSubject, Observable, type OperatorFunction } from 'rxjs';

/**
 * Whether a stream's values are held back, and which may still go ahead of the held ones:
 * null lets everything through; a predicate holds every value except those it accepts that
 * arrive while nothing is held yet.
 */
export type Gate<T> = ((value: T) => boolean) | null;

/** Holds every value. */
const holdAll =
  <T>(): Gate<T> =>
  () =>
    false;

/**
 * Delays a stream's values while `gate$` says so and lets them out, in their order, when it
 * opens. The app-server puts a thread's events behind the answer to a request about that
 * thread: the client reads the answer (`thread/start` → the thread) before the events it
 * caused (`thread/started`). Order is never changed: a value may go ahead only while nothing
 * is waiting before it.
 */
const holdWhile =
  <T>(gate$: Observable<Gate<T>>): OperatorFunction<T, T> =>
  (source) =>
    new Observable<T>((subscriber) => {
      let gate: Gate<T> = null;
      let completed = false;
      const waiting: T[] = [];
      const drain = () => {
        while (waiting.length > 0) subscriber.next(waiting.shift()!);
        if (completed) subscriber.complete();
      };
      const gates = gate$.subscribe((next) => {
        gate = next;
        if (gate === null) drain();
      });
      const values = source.subscribe({
        next: (value) => {
          if (gate === null || (waiting.length === 0 && gate(value))) subscriber.next(value);
          else waiting.push(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          completed = true;
          if (gate === null) drain();
        },
      });
      return () => {
        gates.unsubscribe();
        values.unsubscribe();
      };
    });

/**
 * The gates of many streams by key (a thread id). Each request about a key holds that key's
 * stream until its answer is out; the stream flows again once every such answer is.
 */
export class ResponseGates<T> {
  private readonly gates = new Map<string, { holds: number; gate$: BehaviorSubject<Gate<T>> }>();

  /** `source$` as the client should see it: held while requests about `key` are answered. */
  ordered(key: string, source$: Observable<T>): Observable<T> {
    return source$.pipe(holdWhile(this.entry(key).gate$));
  }

  /** Holds `key`'s stream until `answered` settles; `ahead` picks values that may still go first. */
  holdUntil(key: string, answered: Promise<unknown>, ahead: Gate<T> = holdAll()): void {
    const entry = this.entry(key);
    entry.holds += 1;
    if (entry.holds === 1) entry.gate$.next(ahead);
    else if (entry.gate$.value !== null) entry.gate$.next(holdAll());
    void answered.finally(() => {
      entry.holds -= 1;
      if (entry.holds === 0) entry.gate$.next(null);
    });
  }

  private entry(key: string) {
    let entry = this.gates.get(key);
    if (!entry) {
      entry = { holds: 0, gate$: new BehaviorSubject<Gate<T>>(null) };
      this.gates.set(key, entry);
    }
    return entry;
  }
}
