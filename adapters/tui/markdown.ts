import { Marked, type MarkedExtension } from 'marked';
import { markedTerminal } from 'marked-terminal';

const renderers = new Map<number, Marked>();

/**
 * Agent text as the terminal shows it: headings, lists, emphasis, and code blocks with
 * syntax highlighting (colours follow the terminal's support, so NO_COLOR gives plain text).
 */
export function renderMarkdown(text: string, width: number): string {
  let marked = renderers.get(width);
  if (!marked) {
    // The types describe the older renderer-class form; at run time it returns an extension.
    marked = new Marked(markedTerminal({ width, reflowText: false, tab: 2, emoji: false }) as unknown as MarkedExtension);
    renderers.set(width, marked);
  }
  try {
    return marked.parse(text, { async: false }).replace(/\n+$/, '');
  } catch {
    // Half-streamed Markdown that the renderer cannot take yet is shown as it is.
    return text;
  }
}
