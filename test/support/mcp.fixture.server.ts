/**
 * An MCP server for the client's tests, written with the SDK's server side. Run with
 * `node --import tsx/esm test/support/mcp.fixture.server.ts [flags]`:
 *   (no flag)            serve on stdio
 *   --http               serve streamable HTTP on 127.0.0.1 (a free port, printed as `listening PORT`)
 *   --fail-start         write to stderr and exit 3 before answering anything
 *   --hang-initialize    read stdin and never answer
 *   --bad-schema         list its tools with one whose input schema is not an object schema
 * Tools: echo (readOnlyHint), write_note (not read-only), slow {ms}, crash, big {bytes}, image,
 * add_tool {name} (adds a tool, which sends notifications/tools/list_changed), roots,
 * ask (asks the user for a color with elicitation/create and returns the answer as JSON),
 * sample (asks the client for sampling/createMessage and returns what happened).
 */
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const flags = new Set(process.argv.slice(2));
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

function fixtureServer(): McpServer {
  const server = new McpServer({ name: 'fixture', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes its text back.', inputSchema: { text: z.string() }, annotations: { readOnlyHint: true } }, ({ text }) => ({
    content: [{ type: 'text', text: `echo: ${text}` }],
    structuredContent: { echoed: text },
  }));
  server.registerTool('write_note', { description: 'Pretends to write a note (not read-only).', inputSchema: { note: z.string() } }, ({ note }) => ({
    content: [{ type: 'text', text: `noted: ${note}` }],
  }));
  server.registerTool(
    'slow',
    { description: 'Answers after ms milliseconds.', inputSchema: { ms: z.number() }, annotations: { readOnlyHint: true } },
    async ({ ms }) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { content: [{ type: 'text', text: `slept ${ms}` }] };
    },
  );
  server.registerTool('crash', { description: 'Exits in the middle of the call.', annotations: { readOnlyHint: true } }, () => {
    process.stderr.write('fixture: crashing on purpose\n');
    process.exit(7);
  });
  server.registerTool(
    'big',
    { description: 'Returns bytes characters.', inputSchema: { bytes: z.number() }, annotations: { readOnlyHint: true } },
    ({ bytes }) => ({
      content: [{ type: 'text', text: 'x'.repeat(bytes) }],
    }),
  );
  server.registerTool('image', { description: 'Returns a one-pixel image.', annotations: { readOnlyHint: true } }, () => ({
    content: [
      { type: 'text', text: 'a pixel' },
      { type: 'image', data: PIXEL, mimeType: 'image/png' },
    ],
  }));
  server.registerTool(
    'add_tool',
    { description: 'Adds a tool named name.', inputSchema: { name: z.string() }, annotations: { readOnlyHint: true } },
    ({ name }) => {
      server.registerTool(name, { description: `Added at run time: ${name}.`, annotations: { readOnlyHint: true } }, () => ({
        content: [{ type: 'text', text: `hello from ${name}` }],
      }));
      return { content: [{ type: 'text', text: `added ${name}` }] };
    },
  );
  server.registerTool('roots', { description: "Lists the client's roots.", annotations: { readOnlyHint: true } }, async () => {
    const { roots } = await server.server.listRoots();
    return { content: [{ type: 'text', text: roots.map((root) => root.uri).join('\n') }] };
  });
  server.registerTool('ask', { description: 'Asks the user for a color.', annotations: { readOnlyHint: true } }, async () => {
    const answer = await server.server.elicitInput({
      mode: 'form',
      message: 'Which color should the note be?',
      requestedSchema: {
        type: 'object',
        properties: { color: { type: 'string', title: 'Color', enum: ['red', 'green'] }, urgent: { type: 'boolean', title: 'Urgent' } },
        required: ['color'],
      },
    });
    return { content: [{ type: 'text', text: JSON.stringify(answer) }] };
  });
  server.registerTool('sample', { description: 'Asks the client to sample the model.', annotations: { readOnlyHint: true } }, async () => {
    try {
      await server.server.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 });
      return { content: [{ type: 'text', text: 'sampled' }] };
    } catch (error) {
      return { content: [{ type: 'text', text: `sampling refused: ${error instanceof Error ? error.message : String(error)}` }] };
    }
  });
  if (flags.has('--bad-schema')) {
    // The tool list as the server sends it, one tool's input schema broken (the SDK's own list would be valid).
    server.server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [
        { name: 'echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
        { name: 'broken', inputSchema: { type: 'string' } as never },
      ],
    }));
  }
  return server;
}

if (flags.has('--fail-start')) {
  process.stderr.write('fixture: cannot start: missing FIXTURE_TOKEN\n');
  process.exit(3);
} else if (flags.has('--hang-initialize')) {
  process.stdin.resume();
} else if (flags.has('--http')) {
  // Stateless: each request gets its own server and transport.
  const http = createServer((req, res) => {
    const server = fixtureServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void transport.close().then(() => server.close()));
    void server.connect(transport).then(() => transport.handleRequest(req, res));
  });
  http.listen(0, '127.0.0.1', () => {
    const address = http.address();
    process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
  });
} else {
  await fixtureServer().connect(new StdioServerTransport());
}
