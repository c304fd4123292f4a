import type { HeuristicLevel } from './types.js';

/** The heuristics' opinion of one command, with a short reason for messages. */
export interface Classification {
  level: HeuristicLevel;
  why: string;
}

export const safe = (why: string): Classification => ({ level: 'safe', why });
export const dangerous = (why: string): Classification => ({ level: 'dangerous', why });
export const unknown = (why: string): Classification => ({ level: 'unknown', why });
