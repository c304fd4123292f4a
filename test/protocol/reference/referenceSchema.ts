/**
 * The reference's own wire description (Codex 0.169's `app-server generate-json-schema`
 * bundle) as a validator: what a client that generated its types from that schema would
 * accept. Every server-to-client message our tests see goes through `wireViolations`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { bundleJsonSchema } from '../../../actors/schemaExport/index.js';
import { pascalMethod, sentByClient, wireCatalog, type WireCatalogEntry } from '../../../protocol/appServer/index.js';
import { diffSchemas, type Difference, type Direction } from './schemaDiff.js';

type Json = any;

const BUNDLE_PATH = resolve(import.meta.dirname, 'codex-0.169.schemas.json');
const REFERENCE = 'codex';
const OURS = 'statecraft';

/**
 * Methods we answer that the reference does not have, each with why; their responses are
 * checked against our own generated schema instead. Empty while we add none.
 */
const OUR_OWN_METHODS: Readonly<Record<string, string>> = {};

/**
 * The only ways we step outside the reference's schema, each in answer to a client that itself
 * went outside it (docs/PROTOCOL.md). `within` gives the message as the reference would have
 * it, and that must still be valid.
 */
const ANSWERS_TO_OFF_SCHEMA_REQUESTS: ReadonlyArray<{ why: string; applies: (msg: Json, request: Json) => boolean; within: (msg: Json) => Json }> = [
  {
    why: 'JSON-RPC 2.0 answers a line with no usable id with id null; the reference does not answer such lines at all',
    applies: (msg) => 'error' in msg && msg.id === null,
    within: (msg) => ({ ...msg, id: 0 }),
  },
  {
    why: 'a client that asked for the on-failure approval policy (which the reference retired) is told it got it',
    applies: (msg, request) => request?.params?.approvalPolicy === 'on-failure' && msg.result?.approvalPolicy === 'on-failure',
    within: (msg) => ({ ...msg, result: { ...msg.result, approvalPolicy: 'on-request' } }),
  },
];

/** The reference's response schemas for methods that take no params (so no Params name to derive them from). */
const RESPONSES_OF_METHODS_WITHOUT_PARAMS: Readonly<Record<string, string>> = {
  'account/logout': '#/definitions/v2/LogoutAccountResponse',
};

export interface Recorded {
  dir: 'c2s' | 's2c';
  msg: Json;
}

export interface Violation {
  /** What kind of message it was and which schema judged it. */
  kind: string;
  msg: Json;
  errors: string[];
}

interface Loaded {
  bundle: Json;
  ajv: Ajv;
  ours: Ajv2020;
  /** Each client request's method → its Response schema. */
  responses: Map<string, string>;
  /** `<union> <method>` → its params schema, for the server's notifications and requests and the client's notifications. */
  params: Map<string, string>;
}

let cached: Loaded | null = null;

function load() {
  if (cached) return cached;
  const bundle = JSON.parse(readFileSync(BUNDLE_PATH, 'utf8'));
  // The reference uses `format: int64` and the like, which are descriptions here, not checks.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(bundle, REFERENCE);
  // Ours is written in draft 2020-12.
  const ours = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ours.addSchema(bundleJsonSchema(wireCatalog()), OURS);
  const byMethod = (union: string) =>
    new Map<string, string | undefined>(
      (bundle.definitions[union].oneOf as Json[]).map((variant) => [variant.properties.method.enum[0], variant.properties.params?.$ref]),
    );
  // A method's response is named after its params: ThreadStartParams → ThreadStartResponse;
  // a method without params names it in the listed table.
  const responses = new Map<string, string>();
  for (const [method, params] of byMethod('ClientRequest')) {
    const response = params?.replace(/Params$/, 'Response') ?? RESPONSES_OF_METHODS_WITHOUT_PARAMS[method];
    if (response && resolvePointer(bundle, response)) responses.set(method, `${REFERENCE}${response}`);
  }
  // Validating against the one variant a message's method names gives errors about that variant alone.
  const params = new Map<string, string>();
  for (const union of ['ServerNotification', 'ServerRequest', 'ClientRequest', 'ClientNotification']) {
    for (const [method, ref] of byMethod(union)) if (ref) params.set(`${union} ${method}`, `${REFERENCE}${ref}`);
  }
  cached = { bundle, ajv, ours, responses, params };
  return cached;
}

function resolvePointer(root: Json, ref: string): Json {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((at: Json, key) => (at == null ? undefined : at[key]), root);
}

const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${e.params ? JSON.stringify(e.params) : ''}`.trim());

function check(kind: string, validate: ValidateFunction | undefined, value: Json, msg: Json): Violation | null {
  if (!validate) return { kind, msg, errors: ['no schema for it in the reference or in ours'] };
  return validate(value) ? null : { kind, msg, errors: describe(validate.errors) };
}

/**
 * Every server-to-client message of a recorded exchange that the reference's schema rejects:
 * notifications against ServerNotification, server requests against ServerRequest, each
 * response against its method's Response (error responses against JSONRPCError). The
 * client's own lines tell which method each response answers.
 */
export function wireViolations(recorded: readonly Recorded[]): Violation[] {
  const { ajv, ours, responses, params } = load();
  const get = (ref: string | undefined) => (ref === undefined ? undefined : ajv.getSchema(ref));
  // emittedAtMs rides beside method and params on every notification, as the reference sends it.
  const variant = (union: string, msg: Json) => check(`${union} ${msg.method}`, get(params.get(`${union} ${msg.method}`)), msg.params, msg);
  const requests = new Map<string, Json>();
  const violations: Violation[] = [];
  for (const { dir, msg } of recorded) {
    if (msg === null || typeof msg !== 'object') continue;
    if (dir === 'c2s') {
      if (typeof msg.method === 'string' && 'id' in msg) requests.set(JSON.stringify(msg.id), msg);
      continue;
    }
    const request = 'id' in msg && !('method' in msg) ? requests.get(JSON.stringify(msg.id)) : undefined;
    const exception = ANSWERS_TO_OFF_SCHEMA_REQUESTS.find((candidate) => candidate.applies(msg, request));
    if (exception) {
      const asReference = exception.within(msg);
      const context: Recorded[] = request ? [{ dir: 'c2s', msg: { ...request, id: asReference.id } }] : [];
      violations.push(...wireViolations([...context, { dir: 's2c', msg: asReference }]));
      continue;
    }
    let violation: Violation | null;
    if ('unparsable' in msg) {
      violation = { kind: 'line', msg, errors: ['not JSON'] };
    } else if (typeof msg.method === 'string' && 'id' in msg) {
      violation = variant('ServerRequest', msg);
    } else if (typeof msg.method === 'string') {
      violation = variant('ServerNotification', msg);
    } else if ('error' in msg) {
      violation = check('JSONRPCError', get(`${REFERENCE}#/definitions/JSONRPCError`), msg, msg);
    } else {
      const method: string | undefined = request?.method;
      if (method === undefined) violation = { kind: 'response', msg, errors: ['answers no request the client sent'] };
      else if (method in OUR_OWN_METHODS)
        violation = check(`${method} (ours)`, ours.getSchema(`${OURS}#/definitions/${pascalMethod(method)}Result`), msg.result, msg);
      else violation = check(`${method} response`, get(responses.get(method)), msg.result, msg);
    }
    if (violation) violations.push(violation);
  }
  return violations;
}

/** A one-screen summary of violations, for an assertion message. */
export function describeViolations(violations: readonly Violation[]): string {
  return violations
    .slice(0, 5)
    .map((v) => `${v.kind}: ${JSON.stringify(v.msg).slice(0, 300)}\n  ${v.errors.join('\n  ')}`)
    .join('\n');
}

/** The reference's definition for one of our catalog entries, as a pointer into its bundle; null when it has none. */
function referenceFor(entry: WireCatalogEntry, loaded: Loaded): string | null {
  const strip = (ref: string | undefined) => (ref === undefined ? null : ref.slice(REFERENCE.length));
  switch (entry.direction) {
    case 'clientRequest':
      return strip(entry.kind === 'params' ? loaded.params.get(`ClientRequest ${entry.method}`) : loaded.responses.get(entry.method));
    case 'serverRequest': {
      const params = strip(loaded.params.get(`ServerRequest ${entry.method}`));
      if (entry.kind === 'params' || params === null) return params;
      const response = params.replace(/Params$/, 'Response');
      return resolvePointer(loaded.bundle, response) ? response : null;
    }
    case 'serverNotification':
      return strip(loaded.params.get(`ServerNotification ${entry.method}`));
    case 'clientNotification':
      return strip(loaded.params.get(`ClientNotification ${entry.method}`));
  }
}

/**
 * Every difference between the schema `app-server generate-json-schema` writes and the
 * reference's, over the messages we implement; entries the reference lacks are returned apart.
 */
export function schemaDifferences(): { differences: Difference[]; unmatched: string[] } {
  const loaded = load();
  const catalog = wireCatalog();
  const pairs: Array<{ ours: string; reference: string; direction: Direction }> = [];
  const unmatched: string[] = [];
  for (const entry of catalog) {
    const reference = referenceFor(entry, loaded);
    // Our notification schemas describe the whole line; the reference's only its params.
    const ours = `#/definitions/${entry.name}${entry.kind === 'notification' ? '/properties/params' : ''}`;
    if (reference) pairs.push({ ours, reference, direction: sentByClient(entry) ? 'received' : 'sent' });
    else unmatched.push(entry.name);
  }
  return { differences: diffSchemas(bundleJsonSchema(catalog), loaded.bundle, pairs), unmatched };
}
