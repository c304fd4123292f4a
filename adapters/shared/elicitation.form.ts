import type { ElicitationContent, ProtocolEventOf } from '../../protocol/index.js';

export type ElicitationEvent = ProtocolEventOf<'mcpServer/elicitation/request'>;

/** One field of an MCP server's form, as its JSON Schema describes it. */
interface FieldSchema {
  type?: unknown;
  title?: unknown;
  description?: unknown;
  enum?: unknown;
  items?: { enum?: unknown; anyOf?: Array<{ const?: unknown }> };
  oneOf?: Array<{ const?: unknown }>;
}

/** A field as a person fills it in, typed as one line: what to ask, and what a line means. */
interface FormField {
  name: string;
  /** The question: title, description, what it takes, whether it may be left empty. */
  prompt: string;
  required: boolean;
  /** What a typed line means for the field: its value, or why it does not fit. */
  read(line: string): { value: ElicitationContent[string] } | { problem: string };
}

/** An MCP server's question as a person reads it. */
export function describeElicitation(event: ElicitationEvent): string {
  return `The MCP server ${event.params.serverName} asks: ${event.params.message}`;
}

const strings = (value: unknown): string[] | null =>
  Array.isArray(value) && value.every((entry): entry is string => typeof entry === 'string') ? value : null;

/** The choices of an enum field (plain `enum`, or titled `oneOf`/`anyOf` consts); null when it is free text. */
const choicesOf = (field: FieldSchema): string[] | null =>
  strings(field.enum) ??
  strings(field.oneOf?.map((option) => option.const)) ??
  strings(field.items?.enum) ??
  strings(field.items?.anyOf?.map((option) => option.const));

function readField(field: FieldSchema, line: string): { value: ElicitationContent[string] } | { problem: string } {
  const choices = choicesOf(field);
  if (field.type === 'array') {
    const picked = line
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0);
    const unknown = picked.filter((part) => choices !== null && !choices.includes(part));
    return unknown.length > 0 ? { problem: `not among the choices: ${unknown.join(', ')}` } : { value: picked };
  }
  if (choices !== null) return choices.includes(line) ? { value: line } : { problem: `type one of: ${choices.join(', ')}` };
  if (field.type === 'boolean') {
    if (/^(y|yes|true)$/i.test(line)) return { value: true };
    if (/^(n|no|false)$/i.test(line)) return { value: false };
    return { problem: 'type y or n' };
  }
  if (field.type === 'number' || field.type === 'integer') {
    const value = Number(line);
    if (!Number.isFinite(value) || (field.type === 'integer' && !Number.isInteger(value)))
      return { problem: `type ${field.type === 'integer' ? 'a whole number' : 'a number'}` };
    return { value };
  }
  return { value: line };
}

function fieldPrompt(name: string, field: FieldSchema, required: boolean): string {
  const title = typeof field.title === 'string' ? field.title : name;
  const choices = choicesOf(field);
  const takes =
    field.type === 'array'
      ? `comma-separated${choices ? `: ${choices.join(', ')}` : ''}`
      : choices
        ? choices.join('/')
        : field.type === 'boolean'
          ? 'y/n'
          : typeof field.type === 'string'
            ? field.type
            : 'text';
  const description = typeof field.description === 'string' ? ` (${field.description})` : '';
  return `${title}${description} [${takes}]${required ? '' : ' (optional, Enter to skip)'}: `;
}

/** The fields of the form an MCP server sent, in its order, each to be typed as one line. */
export function formFields(event: ElicitationEvent): FormField[] {
  const { properties, required = [] } = event.params.requestedSchema;
  return (Object.entries(properties) as Array<[string, FieldSchema]>).map(([name, field]) => ({
    name,
    prompt: fieldPrompt(name, field, required.includes(name)),
    required: required.includes(name),
    read: (line) => readField(field, line),
  }));
}
