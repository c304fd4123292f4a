import * as z from 'zod';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Drops the `null` alternative zod emits for `.nullish()`: the model should just leave such fields out. */
function withoutNull(node: Json): Json {
  const out: Json = { ...node };
  if (Array.isArray(out.type)) {
    const types = out.type.filter((t) => t !== 'null');
    out.type = types.length === 1 ? types[0] : types;
  }
  if (Array.isArray(out.anyOf)) {
    const branches = out.anyOf.filter((b) => !(isObject(b) && b.type === 'null'));
    delete out.anyOf;
    if (branches.length === 1 && isObject(branches[0])) return { ...branches[0], ...out };
    out.anyOf = branches;
  }
  return out;
}

/** Rewrites one zod-made JSON Schema node into the plain subset the Responses API takes. */
function clean(input: Json): Json {
  const node = withoutNull(input);
  delete node.$schema;
  if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
  if (node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
  if (node.type === 'integer' && node.exclusiveMinimum === 0) {
    delete node.exclusiveMinimum;
    node.minimum = 1;
  }
  if (isObject(node.items)) node.items = clean(node.items);
  if (Array.isArray(node.anyOf)) node.anyOf = (node.anyOf as unknown[]).map((b) => (isObject(b) ? clean(b) : b));
  if (node.type === 'object') {
    const properties = isObject(node.properties) ? node.properties : {};
    node.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, isObject(v) ? clean(v) : v]));
    node.required = Array.isArray(node.required) ? node.required : [];
    node.additionalProperties = false;
  }
  return node;
}

const made = new WeakMap<z.ZodType, Json>();

/**
 * The JSON Schema a function tool's `parameters` carries, made from the zod schema that reads its
 * arguments. Made once per schema (every model request offers the tools) and shared: read it, never change it.
 */
export function parametersOf(schema: z.ZodType): Json {
  let parameters = made.get(schema);
  if (!parameters) {
    parameters = clean(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
    made.set(schema, parameters);
  }
  return parameters;
}
