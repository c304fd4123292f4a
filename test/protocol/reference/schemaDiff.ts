/**
 * Compares the JSON Schema we generate for a message with the reference's schema for the
 * same message, field by field, and names each difference by where it lives in the
 * reference (its definition and the path inside it), so a shape used by many messages
 * (Thread, ThreadItem) is reported once.
 */
type Json = any;

type DifferenceKind =
  | 'missing' // the reference has the field or variant, ours does not
  | 'extra' // ours has the field or variant, the reference does not
  | 'optional' // the reference requires the field, ours may leave it out
  | 'required' // ours requires the field, the reference may leave it out
  | 'type' // the kinds of value differ
  | 'nullable' // one side allows null, the other does not
  | 'enum'; // the allowed values differ

/**
 * Which way a message travels decides what matters: what we send must be something the
 * reference's clients accept; what we receive must accept everything they may send.
 */
export type Direction = 'sent' | 'received';

export interface Difference {
  /** `<reference definition><path> <kind>`, e.g. `v2/Thread.historyMode nullable`. */
  key: string;
  kind: DifferenceKind;
  detail: string;
}

interface Doc {
  root: Json;
}

interface Variant {
  kind: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'any';
  schema: Json;
  doc: Doc;
  values?: Set<unknown>;
}

interface Normalised {
  nullable: boolean;
  variants: Variant[];
  /** The reference definition this node came from, when it was reached through a $ref. */
  name?: string;
}

const pointer = (doc: Doc, ref: string): Json =>
  ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((at: Json, key) => (at == null ? undefined : at[key]), doc.root);

/** "#/definitions/v2/Thread" → "v2/Thread"; ours: "#/definitions/X/$defs/Thread" → "Thread". */
const refName = (ref: string) => ref.replace(/^#\/definitions\//, '').replace(/^.*\/\$defs\//, '');

function resolve(schema: Json, doc: Doc): { schema: Json; name?: string } {
  let name: string | undefined;
  for (let hops = 0; hops < 32; hops++) {
    if (schema && typeof schema === 'object' && typeof schema.$ref === 'string') {
      name = refName(schema.$ref);
      schema = pointer(doc, schema.$ref);
    } else if (schema && typeof schema === 'object' && Array.isArray(schema.allOf) && schema.allOf.length === 1) {
      const { allOf, ...rest } = schema;
      const inner = resolve(allOf[0], doc);
      name = inner.name ?? name;
      schema = { ...inner.schema, ...stripAnnotations(rest) };
    } else {
      break;
    }
  }
  return { schema, name };
}

const stripAnnotations = (schema: Json) => {
  const { description: _d, default: _df, title: _t, format: _f, ...rest } = schema;
  return rest;
};

function withBase(base: Json, member: Json): Json {
  return {
    ...base,
    ...member,
    properties: { ...base.properties, ...member.properties },
    required: [...(base.required ?? []), ...(member.required ?? [])],
  };
}

/** A union's scalar members of one kind become one variant: their values joined, or any value if one is free. */
function mergeScalar(variants: Variant[], variant: Variant) {
  const same = variant.kind === 'object' || variant.kind === 'array' ? undefined : variants.find((v) => v.kind === variant.kind);
  if (!same) return variants.push(variant);
  if (!same.values || !variant.values) same.values = undefined;
  else for (const value of variant.values) same.values.add(value);
}

const kindOf = (value: unknown): Variant['kind'] =>
  typeof value === 'string'
    ? 'string'
    : typeof value === 'boolean'
      ? 'boolean'
      : Number.isInteger(value)
        ? 'integer'
        : typeof value === 'number'
          ? 'number'
          : 'any';

function normalise(input: Json, doc: Doc): Normalised {
  const { schema, name } = resolve(input, doc);
  const out: Normalised = { nullable: false, variants: [], name };
  if (schema === true || schema === undefined || (typeof schema === 'object' && Object.keys(stripAnnotations(schema)).length === 0)) {
    out.variants.push({ kind: 'any', schema: {}, doc });
    return out;
  }
  const members: Json[] | undefined = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(members)) {
    // Properties beside the union hold for every member (`{type:"image"}` and one of `{url}` | `{fileId}`).
    const { anyOf: _a, oneOf: _o, ...base } = schema;
    const shared = base.properties ? base : null;
    const names = new Set<string | undefined>();
    for (const member of members) {
      const inner = normalise(shared ? withBase(shared, resolve(member, doc).schema) : member, doc);
      out.nullable ||= inner.nullable;
      if (inner.variants.length > 0) names.add(inner.name);
      for (const variant of inner.variants) mergeScalar(out.variants, variant);
    }
    // `X | null` is still X's place in the reference.
    if (names.size === 1) out.name ??= [...names][0];
    return out;
  }
  const values: unknown[] | undefined = 'const' in schema ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : undefined;
  if (values) {
    for (const value of values) {
      if (value === null) {
        out.nullable = true;
        continue;
      }
      const kind = kindOf(value);
      const existing = out.variants.find((v) => v.kind === kind);
      if (existing) existing.values!.add(value);
      else out.variants.push({ kind, schema, doc, values: new Set([value]) });
    }
    return out;
  }
  const types: string[] = Array.isArray(schema.type) ? schema.type : typeof schema.type === 'string' ? [schema.type] : schema.properties ? ['object'] : [];
  if (types.length === 0) out.variants.push({ kind: 'any', schema, doc });
  for (const type of types) {
    if (type === 'null') out.nullable = true;
    else out.variants.push({ kind: type as Variant['kind'], schema, doc });
  }
  return out;
}

/** The property every object variant pins to one value (`type` in tagged unions), if any. */
function discriminator(variants: Variant[]): string | null {
  const objects = variants.filter((v) => v.kind === 'object');
  if (objects.length < 2) return null;
  const candidates = Object.keys(objects[0]!.schema.properties ?? {});
  for (const key of candidates) {
    if (objects.every((v) => tagOf(v, key) !== undefined)) return key;
  }
  return null;
}

function tagOf(variant: Variant, key: string): string | undefined {
  const property = variant.schema.properties?.[key];
  if (!property) return undefined;
  const normalised = normalise(property, variant.doc);
  const values = normalised.variants.length === 1 ? normalised.variants[0]!.values : undefined;
  return values && values.size === 1 ? String([...values][0]) : undefined;
}

const show = (values: Iterable<unknown>) => [...values].map((v) => JSON.stringify(v)).join('|');

class SchemaDiff {
  readonly differences = new Map<string, Difference>();
  private readonly seen = new Set<string>();

  constructor(
    private readonly ours: Doc,
    private readonly reference: Doc,
  ) {}

  private add(where: string, kind: DifferenceKind, detail: string) {
    const key = `${where} ${kind}`;
    if (!this.differences.has(key)) this.differences.set(key, { key, kind, detail });
  }

  /** Compares our schema node with the reference's; `where` names the reference location. */
  compare(oursNode: Json, referenceNode: Json, where: string, direction: Direction): void {
    const mine = normalise(oursNode, this.ours);
    const theirs = normalise(referenceNode, this.reference);
    if (theirs.name) where = theirs.name;
    const visit = `${direction}\u0000${where}\u0000${JSON.stringify(oursNode).slice(0, 200)}`;
    if (this.seen.has(visit)) return;
    this.seen.add(visit);
    const anyMine = mine.variants.some((v) => v.kind === 'any');
    const anyTheirs = theirs.variants.some((v) => v.kind === 'any');
    // Anything at all is looser than the reference when we send it, stricter when we receive it.
    if (direction === 'sent' && anyMine && !anyTheirs) this.add(where, 'type', 'ours may send any value');
    if (direction === 'received' && anyTheirs && !anyMine) this.add(where, 'type', 'a client may send any value; ours accepts fewer');
    if (anyMine || anyTheirs) return;
    // Null where the other side never expects it: we send a null, or a client sends one we reject.
    if (direction === 'sent' && mine.nullable && !theirs.nullable) this.add(where, 'nullable', 'ours may be null, the reference never is');
    if (direction === 'received' && theirs.nullable && !mine.nullable) this.add(where, 'nullable', 'a client may send null, ours rejects it');

    const kinds = (n: Normalised) => new Set(n.variants.map((v) => v.kind));
    const mineKinds = kinds(mine);
    const theirKinds = kinds(theirs);
    // An integer is a number; only a number where the reference wants an integer differs.
    const covered = (kind: string, other: Set<string>) => other.has(kind) || (kind === 'integer' && other.has('number'));
    // Kinds we may send that the reference lacks, or kinds a client may send that we lack.
    const uncovered =
      direction === 'sent'
        ? [...mineKinds].filter((k) => !covered(k, theirKinds))
        : [...theirKinds].filter((k) => !covered(k, mineKinds) && !(k === 'number' && mineKinds.has('integer')));
    // A side that is only ever null was judged above.
    const onlyNull = mine.variants.length === 0 || theirs.variants.length === 0;
    if (!onlyNull && uncovered.length > 0) this.add(where, 'type', `ours ${[...mineKinds].join('|')}, reference ${[...theirKinds].join('|')}`);

    for (const kind of ['string', 'integer', 'number', 'boolean'] as const) {
      const a = mine.variants.find((v) => v.kind === kind);
      const b = theirs.variants.find((v) => v.kind === kind);
      if (!a || !b) continue;
      // What we send must stay inside the reference's values; what we receive must cover them.
      if (direction === 'sent' && a.values && b.values) {
        const extra = [...a.values].filter((v) => !b.values!.has(v));
        if (extra.length) this.add(where, 'enum', `ours may send ${show(extra)}, which the reference does not allow`);
      } else if (direction === 'sent' && !a.values && b.values) {
        this.add(where, 'enum', `ours may send any ${kind}; the reference allows only ${show(b.values)}`);
      } else if (direction === 'received' && a.values) {
        const missing = b.values ? [...b.values].filter((v) => !a.values!.has(v)) : null;
        if (missing === null) this.add(where, 'enum', `ours accepts only ${show(a.values)}; the reference any ${kind}`);
        else if (missing.length) this.add(where, 'enum', `ours rejects ${show(missing)}, which the reference allows`);
      }
    }

    const arrays = [mine, theirs].map((n) => n.variants.find((v) => v.kind === 'array'));
    if (arrays[0] && arrays[1]) this.compare(arrays[0].schema.items ?? true, arrays[1].schema.items ?? true, `${where}[]`, direction);

    this.compareObjects(
      mine.variants.filter((v) => v.kind === 'object'),
      theirs.variants.filter((v) => v.kind === 'object'),
      where,
      direction,
    );
  }

  private compareObjects(mine: Variant[], theirs: Variant[], where: string, direction: Direction) {
    if (mine.length === 0 || theirs.length === 0) return;
    // An object the reference leaves open (no fields named) takes whatever we send.
    if (theirs.some((v) => !v.schema.properties && !v.schema.required)) return;
    if (mine.length === 1 && theirs.length === 1) return this.compareObject(mine[0]!, theirs[0]!, where, direction);
    const key = discriminator(theirs) ?? discriminator(mine);
    // Untagged shapes (`{acceptWithExecpolicyAmendment: ...}`) pair by the names of their required fields.
    const label = key ?? 'fields';
    const tag = (v: Variant) => (key ? (tagOf(v, key) ?? '?') : [...(v.schema.required ?? [])].sort().join(','));
    const byTag = (variants: Variant[]) => {
      const map = new Map<string, Variant[]>();
      for (const v of variants) map.set(tag(v), [...(map.get(tag(v)) ?? []), v]);
      return map;
    };
    const a = byTag(mine);
    const b = byTag(theirs);
    for (const [value, candidates] of b) {
      const ours = a.get(value)?.[0];
      // Several reference shapes under one tag (`image` with a url, or with a fileId): ours is one of them.
      const names = (v: Variant) => new Set(Object.keys(v.schema.properties ?? {}));
      const overlap = (v: Variant) => [...names(v)].filter((n) => ours && names(ours).has(n)).length - names(v).size;
      const variant = candidates.reduce((best, v) => (overlap(v) > overlap(best) ? v : best));
      if (ours) this.compareObject(ours, variant, `${where}<${label}=${value}>`, direction);
      else
        this.add(
          `${where}<${label}=${value}>`,
          'missing',
          direction === 'sent' ? 'a variant of the reference we never send' : 'a variant of the reference we do not accept',
        );
    }
    for (const value of a.keys()) if (!b.has(value)) this.add(`${where}<${label}=${value}>`, 'extra', 'a variant of ours the reference does not have');
  }

  private compareObject(mine: Variant, theirs: Variant, where: string, direction: Direction) {
    const mp: Record<string, Json> = mine.schema.properties ?? {};
    const tp: Record<string, Json> = theirs.schema.properties ?? {};
    const mr = new Set<string>(mine.schema.required ?? []);
    const tr = new Set<string>(theirs.schema.required ?? []);
    for (const [name, schema] of Object.entries(tp)) {
      const at = `${where}.${name}`;
      if (!(name in mp)) {
        this.add(at, 'missing', tr.has(name) ? 'required by the reference' : 'optional in the reference');
        continue;
      }
      // We may leave out what the reference's clients count on, or insist on what they may leave out.
      if (direction === 'sent' && tr.has(name) && !mr.has(name)) this.add(at, 'optional', 'the reference requires it; ours may leave it out');
      if (direction === 'received' && !tr.has(name) && mr.has(name)) this.add(at, 'required', 'ours requires it; the reference may leave it out');
      this.compare(mp[name], schema, at, direction);
    }
    for (const name of Object.keys(mp)) if (!(name in tp)) this.add(`${where}.${name}`, 'extra', 'not in the reference');
  }
}

/** Differences between our generated bundle and the reference bundle for each pair of definitions. */
export function diffSchemas(
  oursBundle: Json,
  referenceBundle: Json,
  pairs: ReadonlyArray<{ ours: string; reference: string; direction: Direction }>,
): Difference[] {
  const diff = new SchemaDiff({ root: oursBundle }, { root: referenceBundle });
  for (const pair of pairs) diff.compare({ $ref: pair.ours }, { $ref: pair.reference }, refName(pair.reference), pair.direction);
  return [...diff.differences.values()].sort((a, b) => a.key.localeCompare(b.key));
}
