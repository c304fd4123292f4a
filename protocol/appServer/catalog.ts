import type { z } from 'zod';
import { clientNotifications, clientRequests } from './requests.schema.js';
import { serverRequests } from './serverRequests.schema.js';
import { serverNotifications } from './notifications.schema.js';

type WireDirection = 'clientRequest' | 'serverRequest' | 'serverNotification' | 'clientNotification';
type WireKind = 'params' | 'result' | 'notification';

/** One schema of the wire protocol, named as a generated type for client authors would be. */
export interface WireCatalogEntry {
  /** A type name, e.g. "ThreadStartParams" or "TurnCompletedNotification". */
  name: string;
  direction: WireDirection;
  method: string;
  kind: WireKind;
  schema: z.ZodType;
}

/** "thread/status/changed" → "ThreadStatusChanged". */
export const pascalMethod = (method: string): string =>
  method
    .split('/')
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** Approval requests are named after what they approve, without the "item/" prefix. */
const serverRequestBase = (method: string): string => pascalMethod(method.replace(/^item\//, ''));

/**
 * Every schema a client author needs, in a stable order: client requests, server requests,
 * server notifications, client notifications.
 */
export const wireCatalog = (): WireCatalogEntry[] => {
  const entries: WireCatalogEntry[] = [];
  for (const [method, pair] of Object.entries(clientRequests)) {
    const base = pascalMethod(method);
    entries.push({ name: `${base}Params`, direction: 'clientRequest', method, kind: 'params', schema: pair.params });
    entries.push({ name: `${base}Result`, direction: 'clientRequest', method, kind: 'result', schema: pair.result });
  }
  for (const [method, pair] of Object.entries(serverRequests)) {
    const base = serverRequestBase(method);
    entries.push({ name: `${base}Params`, direction: 'serverRequest', method, kind: 'params', schema: pair.params });
    entries.push({ name: `${base}Result`, direction: 'serverRequest', method, kind: 'result', schema: pair.result });
  }
  for (const [method, schema] of Object.entries(serverNotifications)) {
    const name = `${pascalMethod(method)}Notification`;
    entries.push({ name, direction: 'serverNotification', method, kind: 'notification', schema });
  }
  for (const [method, schema] of Object.entries(clientNotifications)) {
    const name = `${pascalMethod(method)}Notification`;
    entries.push({ name, direction: 'clientNotification', method, kind: 'notification', schema });
  }
  return entries;
};

/** Whether a schema describes what the client sends (so defaults are optional for it). */
export const sentByClient = (entry: Pick<WireCatalogEntry, 'direction' | 'kind'>): boolean =>
  entry.direction === 'clientNotification' ||
  (entry.direction === 'clientRequest' && entry.kind === 'params') ||
  (entry.direction === 'serverRequest' && entry.kind === 'result');
