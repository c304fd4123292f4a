/**
 * Where the machines read the time. It comes in with each machine's input, so a transition
 * stays a function of its snapshot and event: tests pass a fixed clock, the runtime the
 * wall clock.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}
