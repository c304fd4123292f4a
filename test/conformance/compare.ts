/**
 * Compares our app-server's messages with a reference transcript: the order of methods in
 * each direction, and the field names of each message. Values are not compared (ids,
 * times and paths differ by nature); fields only one side has must be listed as known
 * differences, so a new or lost field fails the comparison.
 */
import { clientRequests, serverNotificationParams, serverRequests } from '../../protocol/appServer/index.js';
import type { Recorded } from './runner.js';

type Json = any;

const OUR_METHODS = new Set<string>([...Object.keys(clientRequests), ...Object.keys(serverRequests), ...Object.keys(serverNotificationParams), 'initialized']);

/** One message as compared: where it went, what it is, and its field paths. */
export interface Shape {
  dir: 'c2s' | 's2c';
  label: string;
  fields: Set<string>;
}

/** Every field path of a value, arrays written as `[]` (element fields merged). */
export function fieldPaths(value: Json, prefix = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const element of value) fieldPaths(element, `${prefix}[]`, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      into.add(path);
      fieldPaths(entry, path, into);
    }
  }
  return into;
}

const isDelta = (method: string) => /[Dd]elta$/.test(method);

/**
 * The messages of our protocol subset, in order, each labelled by what it is. Responses
 * are labelled by their request's method; deltas of one item in a row count once, since
 * how a stream is chunked is not part of the protocol.
 */
export function shapes(transcript: Recorded[]): Shape[] {
  const requestMethod = new Map<string, string>();
  const out: Shape[] = [];
  for (const { dir, msg } of transcript) {
    let label: string;
    if (typeof msg.method === 'string') {
      if (!OUR_METHODS.has(msg.method)) continue;
      if ('id' in msg) requestMethod.set(`${dir}:${msg.id}`, msg.method);
      label = `${'id' in msg ? 'request' : 'notification'} ${msg.method}`;
    } else {
      const method = requestMethod.get(`${dir === 'c2s' ? 's2c' : 'c2s'}:${msg.id}`);
      if (!method) continue;
      label = `${'error' in msg ? 'error' : 'response'} ${method}`;
    }
    const previous = out.findLast((shape) => shape.dir === dir);
    const item = msg.params?.itemId;
    if (previous && isDelta(msg.method ?? '') && previous.label === label && (previous as Shape & { item?: string }).item === item) continue;
    out.push(Object.assign({ dir, label, fields: fieldPaths(msg) }, { item }));
  }
  return out;
}

export interface Differences {
  /** Field paths of one message that we send and the reference does not, or the reverse. */
  ours: string[];
  reference: string[];
}

/** Field differences between two shapes of the same message, minus the known ones. */
export function fieldDifferences(ours: Shape, reference: Shape, known: { oursOnly: RegExp[]; referenceOnly: RegExp[] }): Differences {
  const unknown = (paths: string[], allowed: RegExp[]) => paths.filter((path) => !allowed.some((pattern) => pattern.test(path)));
  return {
    ours: unknown(
      [...ours.fields].filter((path) => !reference.fields.has(path)),
      known.oursOnly,
    ),
    reference: unknown(
      [...reference.fields].filter((path) => !ours.fields.has(path)),
      known.referenceOnly,
    ),
  };
}
