import * as z from 'zod';
import {
  ApprovalDecision,
  ApprovalPolicy,
  CommandAction,
  CommandRisk,
  FileUpdateChange,
  GitInfo,
  PlanStep,
  ReasoningEffort,
  SandboxPolicy,
  Thread,
  ThreadItem,
  ThreadStatus,
  ThreadTokenUsage,
  TokenUsageBreakdown,
  Turn,
  TurnError,
  UserInput,
  ModelInfo,
} from '../../protocol/index.js';
import { sentByClient, type WireCatalogEntry } from '../../protocol/appServer/index.js';

/** A JSON Schema document as plain data. */
export type JsonSchema = Record<string, unknown>;

/**
 * Shared shapes get their own named definition in every generated schema (and so their own
 * type in the generated TypeScript) instead of being copied inline at each use.
 * None of these is itself a catalog entry: a root with an id would turn into a bare $ref.
 */
const sharedShapes: ReadonlyArray<readonly [string, z.ZodType]> = [
  ['Thread', Thread],
  ['Turn', Turn],
  ['TurnError', TurnError],
  ['ThreadStatus', ThreadStatus],
  ['ThreadItem', ThreadItem],
  ['UserInput', UserInput],
  ['GitInfo', GitInfo],
  ['CommandAction', CommandAction],
  ['CommandRisk', CommandRisk],
  ['FileUpdateChange', FileUpdateChange],
  ['ApprovalDecision', ApprovalDecision],
  ['ApprovalPolicy', ApprovalPolicy],
  ['ReasoningEffort', ReasoningEffort],
  ['SandboxPolicy', SandboxPolicy],
  ['ThreadTokenUsage', ThreadTokenUsage],
  ['TokenUsageBreakdown', TokenUsageBreakdown],
  ['PlanStep', PlanStep],
  ['ModelInfo', ModelInfo],
];

let registry: z.core.$ZodRegistry<{ id: string }> | undefined;

/** A registry of its own, so the global one (used for model tool schemas) stays untouched. */
const sharedRegistry = (): z.core.$ZodRegistry<{ id: string }> => {
  if (registry) return registry;
  registry = z.registry<{ id: string }>();
  for (const [id, schema] of sharedShapes) registry.add(schema, { id });
  return registry;
};

/**
 * The JSON Schema of one catalog entry. What the client sends is described as input
 * (fields with defaults may be left out); what the server sends as output (every field there).
 */
export const entryJsonSchema = (entry: WireCatalogEntry): JsonSchema => {
  const body = z.toJSONSchema(entry.schema, {
    io: sentByClient(entry) ? 'input' : 'output',
    unrepresentable: 'any',
    metadata: sharedRegistry(),
  }) as JsonSchema;
  const { $schema, ...rest } = body;
  return {
    $schema,
    title: entry.name,
    description: `${entry.method} (${entry.direction} ${entry.kind})`,
    ...rest,
  };
};

/** Points every local "#/$defs/X" reference at where the definition sits inside the bundle. */
const rebaseRefs = (node: unknown, base: string): unknown => {
  if (Array.isArray(node)) return node.map((child) => rebaseRefs(child, base));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${base}/${value.slice(2)}` : rebaseRefs(value, base);
  }
  return out;
};

/** All entries in one document under `definitions`, each keeping its own $defs. */
export const bundleJsonSchema = (entries: readonly WireCatalogEntry[]): JsonSchema => {
  const definitions: Record<string, unknown> = {};
  for (const entry of entries) {
    const { $schema: _unused, ...schema } = entryJsonSchema(entry);
    definitions[entry.name] = rebaseRefs(schema, `#/definitions/${entry.name}`);
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'statecraft app-server protocol (Codex app-server v2 subset)',
    definitions,
  };
};
