import type { ResponseItem, WebSearchAction, WebSearchItem } from '../protocol/index.js';

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The provider's action (snake_case type names) as the thread item's. */
function actionOf(raw: unknown): WebSearchAction {
  const action = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  switch (action.type) {
    case 'search': {
      const queries = Array.isArray(action.queries) ? action.queries.filter((query): query is string => typeof query === 'string') : null;
      return { type: 'search', query: text(action.query), ...(queries ? { queries } : {}) };
    }
    case 'open_page':
      return { type: 'openPage', url: text(action.url) };
    case 'find_in_page':
      return { type: 'findInPage', url: text(action.url), pattern: text(action.pattern) };
    default:
      return { type: 'other' };
  }
}

/**
 * A hosted web search as a thread item. While it runs nothing is known of it (the reference
 * reports an empty query and an `other` action); once done, its query is the search's query,
 * or the page it opened.
 */
export function webSearchItem(id: string, done: ResponseItem | null): Omit<WebSearchItem, 'startedAtMs' | 'completedAtMs'> {
  if (!done) return { type: 'webSearch', id, query: '', action: { type: 'other' } };
  const action = actionOf((done as { action?: unknown }).action);
  const query =
    action.type === 'search' ? (action.query ?? action.queries?.join(' ') ?? '') : action.type === 'other' ? '' : (action.url ?? '');
  return { type: 'webSearch', id, query, action };
}
