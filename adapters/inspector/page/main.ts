/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The inspector page: machine charts, the actor tree, and a timeline of a thread's trace to
 * step through. It only reads the data the CLI embedded in the page (no requests, no CDN).
 */
import type { TraceRecord } from '../../../actors/runtime/index.js';
import type { PageData } from '../page.data.js';

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
const records = data.records.filter((record) => record.k !== 'meta');
let step = records.length > 0 ? 0 : -1;

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

function label(record: TraceRecord, actors: Map<string, ActorView>): string {
  const name = (a: string | null) => (a === null ? 'outside' : (actors.get(a)?.id ?? a));
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
    default:
      return record.k;
  }
}

const kindClass = (record: TraceRecord): string => `kind-${record.k}`;

/** The timeline, once: one row per record, with the text the filter searches. */
function buildTimeline(): void {
  const all = actorsAt(records.length - 1);
  const list = $('timeline');
  records.forEach((record, index) => {
    const row = document.createElement('li');
    row.id = `step-${index}`;
    row.className = `row ${kindClass(record)}`;
    row.dataset.step = String(index);
    row.dataset.search = `${label(record, all)} ${JSON.stringify(record)}`.toLowerCase();
    row.textContent = label(record, all);
    row.setAttribute('role', 'option');
    row.addEventListener('click', () => go(index));
    list.append(row);
  });
}

function renderTree(actors: Map<string, ActorView>): void {
  const tree = $('actors');
  tree.replaceChildren();
  const children = (parent: string | null) => [...actors.values()].filter((actor) => actor.parent === parent);
  const add = (actor: ActorView, into: HTMLElement) => {
    const item = document.createElement('li');
    item.className = `actor status-${actor.status}`;
    item.dataset.actor = actor.id;
    item.textContent = `${actor.id}${actor.machine ? ` · ${actor.machine}` : ''}: ${describeValue(actor.value) || actor.status}`;
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

/** Highlights, on each machine's chart, the state of that machine's actor that moved last (and is still running, when one is). */
function renderCharts(actors: Map<string, ActorView>): void {
  for (const node of document.querySelectorAll('.state.active')) node.classList.remove('active');
  const byMachine = new Map<string, ActorView>();
  for (const actor of actors.values()) {
    if (!actor.machine) continue;
    const best = byMachine.get(actor.machine);
    const live = (view: ActorView) => view.status === 'active';
    if (!best || (live(actor) && !live(best)) || (live(actor) === live(best) && actor.moved >= best.moved)) byMachine.set(actor.machine, actor);
  }
  for (const [machine, actor] of byMachine) {
    for (const id of stateIds(machine, actor.value))
      document.querySelector(`[data-machine="${machine}"] [data-state="${CSS.escape(id)}"]`)?.classList.add('active');
    const caption = document.querySelector(`#chart-${machine} .chart-actor`);
    if (caption) caption.textContent = `${actor.id}: ${describeValue(actor.value) || actor.status}`;
  }
}

function renderDetail(index: number, actors: Map<string, ActorView>): void {
  const record = records[index];
  const detail = $('detail');
  if (!record) {
    detail.textContent = 'No step selected.';
    return;
  }
  const parts: string[] = [label(record, actors), JSON.stringify(record, null, 2)];
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

function go(index: number): void {
  if (records.length === 0) return;
  step = Math.max(0, Math.min(records.length - 1, index));
  const actors = actorsAt(step);
  renderCharts(actors);
  renderTree(actors);
  renderDetail(step, actors);
  document.querySelector('.row.current')?.classList.remove('current');
  const row = $(`step-${step}`);
  row.classList.add('current');
  row.setAttribute('aria-selected', 'true');
  row.scrollIntoView({ block: 'nearest' });
  const scrubber = $<HTMLInputElement>('scrubber');
  scrubber.value = String(step);
  $('position').textContent = `step ${step + 1} of ${records.length}`;
}

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
  if (records.length === 0) {
    $('replay').hidden = true;
    return;
  }
  buildTimeline();
  const scrubber = $<HTMLInputElement>('scrubber');
  scrubber.max = String(records.length - 1);
  scrubber.addEventListener('input', () => go(Number(scrubber.value)));
  $('back').addEventListener('click', () => go(visibleFrom(step, -1)));
  $('forward').addEventListener('click', () => go(visibleFrom(step, 1)));
  $<HTMLInputElement>('filter').addEventListener('input', (event) => applyFilter((event.target as HTMLInputElement).value));
  document.addEventListener('keydown', (event) => {
    if ((event.target as HTMLElement).tagName === 'INPUT' && (event.target as HTMLInputElement).type === 'search') return;
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
    const target = keys[event.key];
    if (!target) return;
    event.preventDefault();
    go(target());
  });
  go(0);
}

start();
