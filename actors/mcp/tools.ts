import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ResponseItem, ToolSpec } from '../../protocol/index.js';

/** The most of a tool's text result the model reads, like a command's output. */
const MCP_OUTPUT_LIMIT = 64 * 1024;

/**
 * A tool's input schema as the APIs take it: an object schema. One the APIs would refuse
 * (not an object, or with no properties table) is replaced by the closest that works, and
 * the replacement is said, so a tool is never offered with a schema it does not have silently.
 */
export function offeredParameters(tool: Tool): { parameters: Record<string, unknown>; note: string | null } {
  const schema = tool.inputSchema as Record<string, unknown>;
  if (schema.type !== 'object') {
    return {
      parameters: { type: 'object', properties: {} },
      note: `its input schema is of type ${JSON.stringify(schema.type)}, not object; offered without parameters`,
    };
  }
  const properties = schema.properties;
  if (properties !== undefined && (typeof properties !== 'object' || properties === null || Array.isArray(properties))) {
    return { parameters: { type: 'object', properties: {} }, note: 'its input schema has no valid properties table; offered without parameters' };
  }
  return { parameters: { ...schema, properties: properties ?? {} }, note: null };
}

/** The function tool the model sees for one MCP tool. */
export function mcpToolSpec(name: string, server: string, tool: Tool, parameters: Record<string, unknown>): ToolSpec {
  return {
    type: 'function',
    name,
    description: tool.description ?? tool.title ?? `${tool.name} (from MCP server ${server})`,
    strict: false,
    parameters,
  };
}

function capped(text: string): string {
  if (text.length <= MCP_OUTPUT_LIMIT) return text;
  const dropped = text.length - MCP_OUTPUT_LIMIT;
  return `${text.slice(0, MCP_OUTPUT_LIMIT)}\n[… ${dropped} more characters of the tool's output were cut …]`;
}

/**
 * What the model reads of a result: its text (and structured content) as the call's output,
 * capped like command output, and its images as input images in a message after it.
 */
export function resultForModel(callId: string, result: CallToolResult): ResponseItem[] {
  const texts: string[] = [];
  const images: string[] = [];
  for (const block of result.content) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'image') images.push(`data:${block.mimeType};base64,${block.data}`);
    else if (block.type === 'resource_link') texts.push(`[resource ${block.uri}]`);
    else if (block.type === 'resource') texts.push('text' in block.resource ? block.resource.text : `[binary resource ${block.resource.uri}]`);
    else texts.push(`[${block.type} content]`);
  }
  if (result.structuredContent !== undefined && texts.length === 0) texts.push(JSON.stringify(result.structuredContent));
  const text = capped(`${result.isError === true ? 'The tool reported an error:\n' : ''}${texts.join('\n')}`);
  const items: ResponseItem[] = [{ type: 'function_call_output', call_id: callId, output: text }];
  if (images.length > 0) {
    items.push({
      type: 'message',
      role: 'user',
      content: images.map((image_url) => ({ type: 'input_image' as const, image_url })),
    });
  }
  return items;
}

/** The result as the item shows it: content, and structuredContent when given; large text is capped there too. */
export function resultForItem(result: CallToolResult): { content: unknown[]; structuredContent?: unknown } {
  const content = result.content.map((block) => (block.type === 'text' ? { ...block, text: capped(block.text) } : block));
  return result.structuredContent === undefined ? { content } : { content, structuredContent: result.structuredContent };
}
