import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../../protocol/index.js';
import type { Chart } from './charts.js';
import type { PageData } from './page.data.js';

const STYLE = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1d2330; --muted: #667; --box: #f3f5fa; --line: #8a93a6; --hot: #e8590c; --hot-bg: #fff1e6; --sel: #dbe7ff; }
@media (prefers-color-scheme: dark) { :root { --bg: #15181e; --fg: #e3e6ee; --muted: #9aa3b5; --box: #20252f; --line: #6c7489; --hot: #ff922b; --hot-bg: #3a2614; --sel: #25365a; } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); display: grid; grid-template-columns: minmax(0, 1fr) 480px; grid-template-rows: auto 1fr; height: 100vh; }
header { grid-column: 1 / -1; padding: 8px 16px; border-bottom: 1px solid var(--line); display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
header h1 { font-size: 16px; margin: 0; }
#replay { display: flex; gap: 8px; align-items: center; flex: 1; }
#scrubber { flex: 1; min-width: 200px; }
main { overflow: auto; padding: 8px 16px; }
aside { overflow: hidden; border-left: 1px solid var(--line); display: grid; grid-template-rows: auto minmax(0, 2fr) minmax(0, 1fr) minmax(0, 1fr); }
aside section { overflow: auto; padding: 6px 10px; border-bottom: 1px solid var(--line); }
aside h2 { font-size: 13px; margin: 4px 0; color: var(--muted); }
figure { margin: 0 0 16px; }
figcaption { margin-bottom: 4px; } .chart-actor { color: var(--hot); font-family: ui-monospace, monospace; }
svg.chart { max-width: 100%; height: auto; }
.state > rect { fill: var(--box); stroke: var(--line); stroke-width: 1; }
.state.compound > rect, .state.parallel > rect { fill: none; }
.state.parallel > rect { stroke-dasharray: 6 3; }
.state > .final-ring { fill: none; }
.state text { font: 12px system-ui, sans-serif; fill: var(--fg); } .state text.invoke { fill: var(--muted); font-size: 11px; }
.state.active > rect:first-of-type { stroke: var(--hot); stroke-width: 3; fill: var(--hot-bg); }
.state.compound.active > rect:first-of-type, .state.parallel.active > rect:first-of-type { fill: none; }
.edge { fill: none; stroke: var(--line); } marker path { fill: var(--line); }
.edge-label { font: 10px system-ui, sans-serif; fill: var(--muted); }
#timeline { list-style: none; margin: 0; padding: 0; font: 12px ui-monospace, monospace; }
.row, #timeline-head { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 6px; padding: 1px 4px; }
.row { cursor: pointer; }
.row > span { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.col-received { grid-column: 1; } .col-emitted { grid-column: 2; } .col-both { grid-column: 1 / -1; }
#timeline-head { font: 11px system-ui, sans-serif; color: var(--muted); border-bottom: 1px solid var(--line); position: sticky; top: -6px; padding-top: 6px; background: var(--bg); }
.kind-dropped { color: var(--hot); }
#live-status, #dropped { color: var(--muted); } #dropped { color: var(--hot); }
.row.current { background: var(--sel); outline: 1px solid var(--hot); }
.kind-protocol { color: #2b8a3e; } .kind-state { color: var(--muted); } .kind-deltas { color: #1971c2; } .kind-actor { font-weight: 600; }
#actors, #actors ul { list-style: none; padding-left: 14px; margin: 0; font: 12px ui-monospace, monospace; }
.actor.status-done, .actor.status-stopped { color: var(--muted); }
.pick { font: inherit; color: inherit; background: none; border: 1px solid transparent; border-radius: 3px; padding: 0 2px; cursor: pointer; text-align: left; }
.pick:hover { border-color: var(--line); } .pick[aria-pressed="true"] { border-color: var(--hot); background: var(--hot-bg); }
:focus-visible { outline: 2px solid var(--hot); outline-offset: 1px; }
#detail { white-space: pre-wrap; font: 12px ui-monospace, monospace; margin: 0; }
#warnings { color: var(--hot); white-space: pre-wrap; }
button { font: inherit; }
`;

/** A file the build wrote beside the CLI's chunks, where this code runs. */
async function built(name: string, what: string): Promise<string> {
  const file = new URL(`./${name}`, import.meta.url);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${what} is missing (${fileURLToPath(file)}): run \`npm run build\` (${errorMessage(error)})`);
  }
}

/** The page's script: the build bundles page/main.ts for the browser. */
const script = (): Promise<string> => built('inspector.page.js', "the inspector page's script");

/** The charts of the machines: the build lays them out with ELK and draws them (scripts/build.ts), so a page costs no layout at run time. */
export const machineCharts = async (): Promise<Chart[]> => JSON.parse(await built('inspector.charts.json', 'the drawn machine charts')) as Chart[];

/** JSON inside a script element: nothing in it may close the element. */
const embedded = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** The whole inspector as one HTML document: style, data and script inline, nothing fetched. */
export async function inspectorPage(data: PageData): Promise<string> {
  const title = data.title.replace(/[<&]/g, (char) => (char === '<' ? '&lt;' : '&amp;'));
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${STYLE}</style></head>
<body>
<header>
  <h1 id="title"></h1>
  <label id="threads" hidden>Thread <select id="thread" aria-label="thread to show"></select> <span id="live-status" aria-live="polite">connecting…</span></label>
  <div id="replay" role="group" aria-label="replay">
    <button id="back" type="button" title="step back (← or k)" aria-label="step back">◀</button>
    <input id="scrubber" type="range" min="0" max="0" value="0" aria-label="step through the trace">
    <button id="forward" type="button" title="step forward (→ or j)" aria-label="step forward">▶</button>
    <span id="position" aria-live="polite"></span>
    <span id="dropped" aria-live="polite"></span>
    <input id="filter" type="search" placeholder="filter: item id, call id, approval id, event type" aria-label="filter the timeline">
  </div>
</header>
<main><div id="warnings"></div><div id="charts"></div></main>
<aside>
  <section><h2>Actors</h2><ul id="actors" aria-label="actor tree (choose one to show it on its chart)"></ul></section>
  <section><h2>Timeline</h2><div id="timeline-head" aria-hidden="true"><span>received by the machines</span><span>emitted on the wire</span></div><ol id="timeline" role="listbox" aria-label="timeline"></ol></section>
  <section><h2>Selected step</h2><pre id="detail"></pre></section>
  <section><h2>Keys</h2>→ / j next step · ← / k previous · Home / End first / last · click a row to jump · Tab to an actor and Enter to show it on its chart</section>
</aside>
<script type="application/json" id="inspector-data">${embedded(data)}</script>
<script type="module">${await script()}</script>
</body>
</html>
`;
}
