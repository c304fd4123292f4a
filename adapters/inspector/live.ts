import type { ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import type { ThreadHandle, TraceRecord } from '../../actors/runtime/index.js';
import { BoundedFanout } from './fanout.js';
import { inspectorPage, machineCharts } from './page.html.js';
import { servePage } from './serve.js';

/** The inspector of a running process (`app-server --inspect`, `exec --inspect`): its threads' machines, live. */
export interface LiveInspector {
  url: string;
  /** Adds a thread of the process; it is watched while a page is connected. */
  watch(handle: ThreadHandle): void;
  close(): Promise<void>;
}

/** Per page: trace frames queued past this are dropped for that page; past the hard limit it is disconnected (and reconnects). */
const PAGE_CAPACITY = 2_000;
const PAGE_HARD_LIMIT = 6_000;
/** Records kept per thread for a page that connects later; past this the oldest half is folded (see `fold`). */
const HISTORY = 10_000;

interface Watched {
  handle: ThreadHandle;
  /** What a page connecting now is sent first: the records since the thread was first watched, each serialised once. */
  history: Array<{ record: TraceRecord | Folded; json: string }>;
  subscription: Subscription | null;
  /** The thread closed: its history stays while pages are connected, and goes with the last one. */
  ended: boolean;
}

/** Where earlier records of a thread were folded away: `count` of them, keeping their actors and each one's last state. */
type Folded = { k: 'dropped'; ts: number; count: number };

/**
 * Replaces the first half of a history by what the page needs of it: every actor record and
 * each actor's last state record, in order, after a marker saying how many records went.
 */
function fold(history: Watched['history']): Watched['history'] {
  const half = history.slice(0, Math.floor(history.length / 2));
  const lastState = new Map<string, number>();
  half.forEach(({ record }, index) => {
    if (record.k === 'state') lastState.set(record.a, index);
  });
  const kept = half.filter(({ record }, index) => record.k === 'actor' || record.k === 'meta' || (record.k === 'state' && lastState.get(record.a) === index));
  const marker: Folded = { k: 'dropped', ts: half[0]?.record.ts ?? Date.now(), count: half.length - kept.length };
  return [...kept, { record: marker, json: JSON.stringify(marker) }, ...history.slice(half.length)];
}

/**
 * Serves the inspector page for a running process on 127.0.0.1, fed over Server-Sent Events. While
 * no page is connected no thread is watched, so the runtime computes nothing for it; each page
 * has its own bounded queue (`BoundedFanout`), so a slow page loses trace frames, never blocks.
 */
export async function startLiveInspector(port: number, title: string): Promise<LiveInspector> {
  const threads = new Map<string, Watched>();
  const fanout = new BoundedFanout({ capacity: PAGE_CAPACITY, hardLimit: PAGE_HARD_LIMIT }, () => {
    for (const watched of threads.values()) stopWatching(watched);
  });

  // With no page left, what was recorded is let go: the next page's watch starts from the tree as it then stands.
  const stopWatching = (watched: Watched) => {
    watched.subscription?.unsubscribe();
    watched.subscription = null;
    watched.history = [];
    if (watched.ended) threads.delete(watched.handle.threadId);
  };
  const startWatching = (watched: Watched) => {
    if (watched.subscription) return;
    const thread = watched.handle.threadId;
    watched.subscription = watched.handle.trace$.subscribe({
      next: (record) => {
        const json = JSON.stringify(record);
        watched.history.push({ record, json });
        if (watched.history.length > HISTORY) watched.history = fold(watched.history);
        fanout.record({ thread, json, droppable: record.k !== 'protocol' && record.k !== 'actor' });
      },
      complete: () => {
        watched.ended = true;
      },
    });
  };

  const events = (response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    // Everything so far in one write, then the page joins the fan-out and gets what happens next.
    let hello = `retry: 1000\nevent: reset\ndata: {}\n\n`;
    for (const [thread, watched] of threads) {
      hello += `event: thread\ndata: ${JSON.stringify({ thread })}\n\n`;
      if (watched.history.length > 0)
        hello += `event: records\ndata: {"thread":${JSON.stringify(thread)},"records":[${watched.history.map(({ json }) => json).join(',')}]}\n\n`;
    }
    response.write(hello);
    const page = fanout.add({
      write: (chunk) => response.write(chunk),
      onDrain: (listener) => response.once('drain', listener),
      close: () => response.end(),
    });
    response.on('close', () => page.remove());
    for (const watched of threads.values()) startWatching(watched);
  };

  const html = await inspectorPage({ title, charts: await machineCharts(), records: [], warnings: [], live: true });
  const served = await servePage(port, { html, events: (_request, response) => events(response) });
  return {
    url: served.url,
    watch(handle) {
      if (threads.has(handle.threadId)) return;
      const watched: Watched = { handle, history: [], subscription: null, ended: false };
      threads.set(handle.threadId, watched);
      fanout.message('thread', { thread: handle.threadId });
      if (fanout.size > 0) startWatching(watched);
    },
    async close() {
      for (const watched of threads.values()) stopWatching(watched);
      fanout.closeAll();
      await served.close();
    },
  };
}
