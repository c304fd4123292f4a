import type { Stdin } from '../parse/types.js';
import type { HeuristicLevel } from './types.js';

/**
 * Something a command runs besides itself: another command (`timeout 5 CMD`, `xargs CMD`,
 * `find -exec CMD`) or shell code (`sh -c CODE`, `eval CODE`). The evaluation judges it like
 * any command of the script, rules included.
 */
export type Nested = { kind: 'command'; argv: string[]; stdin?: Stdin } | { kind: 'script'; script: string; stdin?: Stdin };

/** The heuristics' opinion of one command, with a short reason for messages, and what it runs. */
export interface Classification {
  level: HeuristicLevel;
  why: string;
  runs?: Nested[];
}

export const safe = (why: string): Classification => ({ level: 'safe', why });
export const dangerous = (why: string): Classification => ({ level: 'dangerous', why });
export const unknown = (why: string): Classification => ({ level: 'unknown', why });

/** A command that only hands over to what it runs: as safe as that is. */
export const runs = (why: string, ...nested: Nested[]): Classification => ({ level: 'safe', why, runs: nested });
