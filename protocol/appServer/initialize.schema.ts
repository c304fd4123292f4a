import * as z from 'zod';

/*
 * The handshake: what `initialize` carries each way. The app-server answers it with these
 * schemas alone; the other requests' schemas load with the first request after it.
 */

const ClientInfo = z.object({
  name: z.string().min(1),
  title: z.string().nullish(),
  version: z.string(),
});
type ClientInfo = z.infer<typeof ClientInfo>;

export const InitializeParams = z.object({
  clientInfo: ClientInfo,
  /** Feature switches a client announces; kept as given, none changes our behaviour yet. */
  capabilities: z.record(z.string(), z.unknown()).nullish(),
});
export type InitializeParams = z.infer<typeof InitializeParams>;

export const InitializeResult = z.object({
  userAgent: z.string(),
  codexHome: z.string(),
  platformFamily: z.string(),
  platformOs: z.string(),
});
export type InitializeResult = z.infer<typeof InitializeResult>;
