import * as z from 'zod';
import { notificationParams } from '../events.schema.js';
import { RequestId } from './jsonrpc.schema.js';

/** Sent once the client has answered a server request, before the item it was about completes. */
const ServerRequestResolvedParams = z.object({ threadId: z.string(), requestId: RequestId });
type ServerRequestResolvedParams = z.infer<typeof ServerRequestResolvedParams>;

/** The stored credentials changed (a login or a logout): how the client is now signed in, null when it is not. */
const AccountUpdatedParams = z.object({ authMode: z.literal('apikey').nullable(), planType: z.null() });
type AccountUpdatedParams = z.infer<typeof AccountUpdatedParams>;

/** A thread's warnings name it; one about the server as a whole (a provider whose model list could not be read) has a null threadId. */
const WarningParams = z.object({ threadId: z.string().nullable(), message: z.string() });
type WarningParams = z.infer<typeof WarningParams>;

/** The params of every notification the server sends, keyed by method. */
export const serverNotificationParams = {
  ...notificationParams,
  warning: WarningParams,
  'serverRequest/resolved': ServerRequestResolvedParams,
  'account/updated': AccountUpdatedParams,
} as const;

export type ServerNotificationMethod = keyof typeof serverNotificationParams;

/** Builds the line for one method: its params plus the send time every server notification carries. */
const envelope = <M extends ServerNotificationMethod>(method: M) =>
  z.object({
    method: z.literal(method),
    params: serverNotificationParams[method],
    /** When the server emitted it, unix milliseconds. */
    emittedAtMs: z.number().int(),
  });

type Envelopes = { [M in ServerNotificationMethod]: ReturnType<typeof envelope<M>> };

/** One envelope schema per server notification method. */
export const serverNotifications = Object.fromEntries(
  (Object.keys(serverNotificationParams) as ServerNotificationMethod[]).map((m) => [m, envelope(m)]),
) as Envelopes;

export const isServerNotificationMethod = (method: string): method is ServerNotificationMethod => Object.hasOwn(serverNotificationParams, method);

/** Any server notification line, told apart by method. */
export const ServerNotification = z.discriminatedUnion(
  'method',
  Object.values(serverNotifications) as unknown as [Envelopes['error'], ...Envelopes[ServerNotificationMethod][]],
);
export type ServerNotification = { [M in ServerNotificationMethod]: z.infer<Envelopes[M]> }[ServerNotificationMethod];
