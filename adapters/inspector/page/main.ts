/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The inspector page: machine charts, the actor tree, and a timeline of a thread's trace to
 * step through. A recorded trace is embedded in the page; a live page (`--inspect`) gets each
 * thread's records from the process over Server-Sent Events (`/events`), on the same origin.
 * Nothing else is fetched: no CDN.
 */
import type { TraceRecord } from '../../../actors/runtime/index.js';
import type { PageData } from '../page.data.js';

/** A trace record, or where the live stream lost frames because this page fell behind (or earlier records were folded). */
type PageRecord = Exclude<TraceRecord, { k: 'meta' }> | { k: 'dropped'; ts: number; count: number };

interface ActorView {
  a: string;
  id: string;
  parent: string | null;
  machine: string | null;
  value: unknown;
  status: string;
  /** The step of its latest state record, to tell which actor of a machine moved last. */
  moved: number;
}

const data = JSON.parse(document.getElementById('inspector-data')!.textContent) as PageData;
/** A live page's threads, each with its records so far. */
const threads = new Map<string, PageRecord[]>();
let records: PageRecord[] = data.records.filter((record): record is Exclude<TraceRecord, { k: 'meta' }> => record.k !== 'meta');
let step = -1;
/** The actor the user chose in the tree: its machine's chart shows it, whichever actor of that machine moved last. */
let pinned: string | null = null;
/** Actor names by session id, as far as the timeline has been built. */
const names = new Map<string, string>();

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** The state ids a state value stands for: `{running: 'sandboxed'}` of execCall is execCall.running and execCall.running.sandboxed. */
function stateIds(prefix: string, value: unknown): string[] {
  if (typeof value === 'string') return [`${prefix}.${value}`];
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => [`${prefix}.${key}`, ...stateIds(`${prefix}.${key}`, inner)]);
  }
  return [];
}

/** Every actor as it stands after `upTo` (inclusive). */
function actorsAt(upTo: number): Map<string, ActorView> {
  const actors = new Map<string, ActorView>();
  for (let index = 0; index <= upTo && index < records.length; index++) {
    const record = records[index]!;
    if (record.k === 'actor')
      actors.set(record.a, { a: record.a, id: record.id, parent: record.parent, machine: record.machine, value: null, status: 'active', moved: index });
    if (record.k === 'state') {
      const actor = actors.get(record.a);
      if (actor) Object.assign(actor, { value: record.value, status: record.status, moved: index });
    }
  }
  return actors;
}

const describeValue = (value: unknown): string => (value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

function label(record: PageRecord): string {
  const name = (a: string | null) => (a === null ? 'outside' : (names.get(a) ?? a));
  switch (record.k) {
    case 'actor':
      return `+ ${record.id}${record.machine ? ` (${record.machine})` : ''}`;
    case 'event':
      return `${record.type}  ${name(record.from)} → ${name(record.a)}`;
    case 'state':
      return `${name(record.a)} ⇒ ${describeValue(record.value) || record.status}`;
    case 'protocol':
      return `⇢ ${record.method}`;
    case 'deltas':
      return `⋯ ${record.count} deltas, ${record.chars} chars (${Object.keys(record.methods).join(', ')})`;
    case 'dropped':
      return `⚠ ${record.count} trace frames not shown (this page fell behind, or they were folded)`;
  }
}

/** The timeline's two columns: what the machines received and did, and what the thread emitted on the wire. */
const column = (record: PageRecord): string => (record.k === 'protocol' || record.k === 'deltas' ? 'emitted' : record.k === 'dropped' ? 'both' : 'received');

/** Adds the rows of records[from...] to the timeline, with the text the filter searches. */
function appendRows(from: number): void {
  const list = $('timeline');
  const query = $<HTMLInputElement>('filter').value.trim().toLowerCase();
  for (let index = from; index < records.length; index++) {
    const record = records[index]!;
    if (record.k === 'actor') names.set(record.a, record.id);
    const row = document.createElement('li');
    row.id = `step-${index}`;
    row.className = `row kind-${record.k}`;
    row.dataset.step = String(index);
    const text = label(record);
    row.dataset.search = `${text} ${JSON.stringify(record)}`.toLowerCase();
    const cell = document.createElement('span');
    cell.className = `col-${column(record)}`;
    cell.textContent = text;
    row.append(cell);
    row.setAttribute('role', 'option');
    row.setAttribute('aria-selected', 'false');
    row.hidden = query !== '' && !row.dataset.search.includes(query);
    row.addEventListener('click', () => go(index));
    list.append(row);
  }
  $<HTMLInputElement>('scrubber').max = String(Math.max(0, records.length - 1));
  const dropped = records.reduce((sum, record) => sum + (record.k === 'dropped' ? record.count : 0), 0);
  $('dropped').textContent = dropped > 0 ? `${dropped} trace frames not shown` : '';
}

function renderTree(actors: Map<string, ActorView>): void {
  const tree = $('actors');
  tree.replaceChildren();
  const children = (parent: string | null) => [...actors.values()].filter((actor) => actor.parent === parent);
  const add = (actor: ActorView, into: HTMLElement) => {
    const item = document.createElement('li');
    item.className = `actor status-${actor.status}`;
    item.dataset.actor = actor.id;
    const text = `${actor.id}${actor.machine ? ` · ${actor.machine}` : ''}: ${describeValue(actor.value) || actor.status}`;
    if (actor.machine) {
      // An actor that runs a machine is a button: choosing it shows its state on its machine's chart.
      const pick = document.createElement('button');
      pick.type = 'button';
      pick.className = 'pick';
      pick.textContent = text;
      pick.setAttribute('aria-pressed', String(pinned === actor.a));
      pick.title = pinned === actor.a ? 'shown on its chart; choose again to follow the latest actor' : `show this actor on the ${actor.machine} chart`;
      pick.addEventListener('click', () => {
        pinned = pinned === actor.a ? null : actor.a;
        render();
        if (pinned) document.getElementById(`chart-${actor.machine}`)?.scrollIntoView({ block: 'nearest' });
      });
      item.append(pick);
    } else {
      item.textContent = text;
    }
    const nested = children(actor.a);
    if (nested.length > 0) {
      const list = document.createElement('ul');
      nested.forEach((child) => add(child, list));
      item.append(list);
    }
    into.append(item);
  };
  children(null).forEach((actor) => add(actor, tree));
}

/**
 * Highlights, on each machine's chart, one actor's state: the chosen actor's on its machine's
 * chart, else the machine's actor that moved last (a running one before one that ended).
 */
function renderCharts(actors: Map<string, ActorView>): void {
  for (const node of document.querySelectorAll('.state.active')) node.classList.remove('active');
  for (const caption of document.querySelectorAll('.chart-actor')) caption.textContent = '';
  const byMachine = new Map<string, ActorView>();
  const live = (view: ActorView) => view.status === 'active';
  for (const actor of actors.values()) {
    if (!actor.machine) continue;
    const best = byMachine.get(actor.machine);
    if (best?.a === pinned) continue;
    if (actor.a === pinned || !best || (live(actor) && !live(best)) || (live(actor) === live(best) && actor.moved >= best.moved))
      byMachine.set(actor.machine, actor);
  }
  for (const [machine, actor] of byMachine) {
    for (const id of stateIds(machine, actor.value))
      document.querySelector(`[data-machine="${machine}"] [data-state="${CSS.escape(id)}"]`)?.classList.add('active');
    const caption = document.querySelector(`#chart-${machine} .chart-actor`);
    if (caption) caption.textContent = `${actor.id}: ${describeValue(actor.value) || actor.status}${actor.a === pinned ? ' (chosen)' : ''}`;
  }
}

function renderDetail(index: number): void {
  const record = records[index];
  const detail = $('detail');
  if (!record) {
    detail.textContent = 'No step selected.';
    return;
  }
  const parts: string[] = [label(record), JSON.stringify(record, null, 2)];
  if (record.k === 'event') {
    // The transition the event caused: the target's next state record (events sent to it meanwhile wait in its mailbox).
    const next = records.slice(index + 1).find((later) => later.k === 'state' && later.a === record.a);
    if (next?.k === 'state') {
      const before = [...records.slice(0, index)].reverse().find((earlier) => earlier.k === 'state' && earlier.a === record.a);
      const from = before?.k === 'state' ? describeValue(before.value) : '(start)';
      parts.push(`transition: ${from} → ${describeValue(next.value) || next.status}`, `context changed: ${JSON.stringify(next.changed, null, 2)}`);
    }
  }
  detail.textContent = parts.join('\n\n');
}

function render(): void {
  const actors = actorsAt(step);
  renderCharts(actors);
  renderTree(actors);
  renderDetail(step);
}

function go(index: number): void {
  if (records.length === 0) return;
  step = Math.max(0, Math.min(records.length - 1, index));
  render();
  const previous = document.querySelector('.row.current');
  previous?.classList.remove('current');
  previous?.setAttribute('aria-selected', 'false');
  const row = $(`step-${step}`);
  row.classList.add('current');
  row.setAttribute('aria-selected', 'true');
  row.scrollIntoView({ block: 'nearest' });
  $<HTMLInputElement>('scrubber').value = String(step);
  showPosition();
}

const showPosition = () => {
  $('position').textContent = records.length === 0 ? 'no steps yet' : `step ${step + 1} of ${records.length}`;
};

/** The next (or previous) step the filter lets through. */
function visibleFrom(index: number, direction: 1 | -1): number {
  for (let candidate = index + direction; candidate >= 0 && candidate < records.length; candidate += direction) {
    if (!$(`step-${candidate}`).hidden) return candidate;
  }
  return step;
}

function applyFilter(text: string): void {
  const query = text.trim().toLowerCase();
  for (const row of document.querySelectorAll<HTMLElement>('#timeline .row')) row.hidden = query !== '' && !row.dataset.search!.includes(query);
}

/** Shows one thread's records (a recorded trace's, or a live thread's so far), at step `at`. */
function show(list: PageRecord[], at: number): void {
  records = list;
  names.clear();
  pinned = null;
  $('timeline').replaceChildren();
  appendRows(0);
  step = -1;
  go(at);
  showPosition();
}

/** A live page: threads appear and grow as the process runs; the page follows the newest step unless the user stepped back. */
function connectLive(): void {
  const select = $<HTMLSelectElement>('thread');
  $('threads').hidden = false;
  const status = $('live-status');
  let pending = false;
  let shownLength = 0;
  const catchUp = () => {
    pending = false;
    const following = step >= shownLength - 1;
    appendRows(shownLength);
    shownLength = records.length;
    if (following) go(records.length - 1);
    else showPosition();
  };
  const choose = (thread: string) => {
    select.value = thread;
    const list = threads.get(thread)!;
    show(list, list.length - 1);
    shownLength = records.length;
  };
  select.addEventListener('change', () => choose(select.value));
  const source = new EventSource('events');
  source.addEventListener('open', () => (status.textContent = 'live'));
  source.addEventListener('error', () => (status.textContent = source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting…'));
  source.addEventListener('reset', () => {
    threads.clear();
    select.replaceChildren();
    show([], 0);
    shownLength = 0;
  });
  source.addEventListener('thread', (event) => {
    const { thread } = JSON.parse((event as MessageEvent<string>).data) as { thread: string };
    if (threads.has(thread)) return;
    threads.set(thread, []);
    const option = document.createElement('option');
    option.value = thread;
    option.textContent = `thread ${thread}`;
    select.append(option);
    if (threads.size === 1) choose(thread);
  });
  source.addEventListener('records', (event) => {
    const message = JSON.parse((event as MessageEvent<string>).data) as { thread: string; records: PageRecord[] };
    const list = threads.get(message.thread);
    if (!list) return;
    list.push(...message.records);
    if (list !== records || pending) return;
    pending = true;
    requestAnimationFrame(catchUp);
  });
}

function start(): void {
  $('title').textContent = data.title;
  $('warnings').textContent = data.warnings.join('\n');
  const charts = $('charts');
  for (const chart of data.charts) {
    const figure = document.createElement('figure');
    figure.id = `chart-${chart.machine}`;
    figure.innerHTML = `<figcaption><strong>${chart.machine}</strong> <span class="chart-actor"></span></figcaption>${chart.svg}`;
    charts.append(figure);
  }
  if (records.length === 0 && !data.live) {
    $('replay').hidden = true;
    $('timeline-head').hidden = true;
    return;
  }
  const scrubber = $<HTMLInputElement>('scrubber');
  scrubber.addEventListener('input', () => go(Number(scrubber.value)));
  $('back').addEventListener('click', () => go(visibleFrom(step, -1)));
  $('forward').addEventListener('click', () => go(visibleFrom(step, 1)));
  $<HTMLInputElement>('filter').addEventListener('input', (event) => applyFilter((event.target as HTMLInputElement).value));
  document.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement;
    if ((target.tagName === 'INPUT' && (target as HTMLInputElement).type === 'search') || target.tagName === 'SELECT') return;
    const keys: Record<string, () => number> = {
      ArrowRight: () => visibleFrom(step, 1),
      ArrowDown: () => visibleFrom(step, 1),
      j: () => visibleFrom(step, 1),
      ArrowLeft: () => visibleFrom(step, -1),
      ArrowUp: () => visibleFrom(step, -1),
      k: () => visibleFrom(step, -1),
      Home: () => 0,
      End: () => records.length - 1,
    };
    const to = keys[event.key];
    if (!to) return;
    event.preventDefault();
    go(to());
  });
  if (data.live) {
    connectLive();
    return;
  }
  show(records, 0);
}

start();
