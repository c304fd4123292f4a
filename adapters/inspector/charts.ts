import elk, { type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk.bundled.js';
import { machineDefinitions, type MachineDefinition, type StateDefinition } from '../../actors/runtime/index.js';

/** How a transition's trigger reads on a chart: XState's internal event names shortened. */
function eventLabel(event: string): string {
  const done = /^xstate\.done\.actor\.(.+)$/.exec(event);
  if (done) return `done: ${done[1]}`;
  const error = /^xstate\.error\.actor\.(.+)$/.exec(event);
  if (error) return `error: ${error[1]}`;
  const after = /^xstate\.after\.([^.]+)/.exec(event);
  if (after) return `after ${after[1]}`;
  return event;
}

// The bundle is CommonJS: Node hands its module.exports (the constructor) to a default import, where the typings expect a namespace.
const ELK = elk as unknown as typeof elk.default;

const CHAR = 6.6;
const LINE = 15;
const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The lines written inside a state's box: its name, then what it invokes. */
const stateLines = (state: StateDefinition): string[] => [state.key, ...state.invoke.map((invoke) => `invoke ${invoke.src}`)];

interface Edge extends ElkExtendedEdge {
  label: string;
  container: string;
}

/** The closest state that holds both ends of a transition: ELK lays an edge out in that state's coordinates. */
function container(source: string, target: string): string {
  const a = source.split('.');
  const b = target.split('.');
  let shared = 0;
  while (shared < a.length - 1 && shared < b.length - 1 && a[shared] === b[shared]) shared++;
  return a.slice(0, Math.max(shared, 1)).join('.');
}

function graph(state: StateDefinition, edges: Edge[]): ElkNode {
  const lines = stateLines(state);
  const width = Math.max(...lines.map((line) => line.length)) * CHAR + 24;
  state.transitions.forEach((transition, index) => {
    for (const target of transition.targets) {
      const label = transition.guard ? `${eventLabel(transition.event)} [${transition.guard}]` : eventLabel(transition.event);
      edges.push({
        id: `${state.id}#${index}>${target}`,
        sources: [state.id],
        targets: [target],
        label,
        container: container(state.id, target),
        labels: [{ text: label, width: label.length * CHAR, height: LINE }],
      });
    }
  });
  if (state.states.length === 0) return { id: state.id, width, height: lines.length * LINE + 14 };
  return {
    id: state.id,
    layoutOptions: { 'elk.padding': `[top=${lines.length * LINE + 14},left=12,bottom=12,right=12]` },
    children: state.states.map((child) => graph(child, edges)),
  };
}

/** Puts each edge in the node that contains both its ends, as ELK wants for nested graphs. */
function placeEdges(node: ElkNode, edges: Edge[]): void {
  node.edges = edges.filter((edge) => edge.container === node.id);
  for (const child of node.children ?? []) placeEdges(child, edges);
}

/** One machine's chart: its SVG, with each state's box marked by `data-state` (the state id). */
export interface Chart {
  machine: string;
  svg: string;
  /** Every state id drawn. */
  states: string[];
}

function drawNode(node: ElkNode, states: Map<string, StateDefinition>, out: string[], x: number, y: number): void {
  const state = states.get(node.id)!;
  const left = x + (node.x ?? 0);
  const top = y + (node.y ?? 0);
  const kind = state.type === 'parallel' ? 'parallel' : state.type;
  const lines = stateLines(state);
  out.push(
    `<g class="state ${kind}" data-state="${escape(state.id)}"><rect x="${left}" y="${top}" width="${node.width}" height="${node.height}" rx="8"/>`,
    ...lines.map((line, index) => `<text x="${left + 10}" y="${top + 18 + index * LINE}"${index > 0 ? ' class="invoke"' : ''}>${escape(line)}</text>`),
    state.type === 'final'
      ? `<rect class="final-ring" x="${left + 3}" y="${top + 3}" width="${(node.width ?? 0) - 6}" height="${(node.height ?? 0) - 6}" rx="6"/>`
      : '',
    '</g>',
  );
  for (const child of node.children ?? []) drawNode(child, states, out, left, top);
}

function drawEdges(node: ElkNode, out: string[], x: number, y: number, labels: Map<string, string>): void {
  const left = x + (node.x ?? 0);
  const top = y + (node.y ?? 0);
  for (const edge of node.edges ?? []) {
    for (const section of edge.sections ?? []) {
      const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((point) => `${left + point.x},${top + point.y}`);
      out.push(`<path class="edge" d="M${points.join(' L')}" marker-end="url(#arrow)"/>`);
    }
    for (const label of edge.labels ?? []) {
      out.push(`<text class="edge-label" x="${left + (label.x ?? 0)}" y="${top + (label.y ?? 0) + 11}">${escape(labels.get(edge.id) ?? '')}</text>`);
    }
  }
  for (const child of node.children ?? []) drawEdges(child, out, left, top, labels);
}

const flatten = (state: StateDefinition): StateDefinition[] => [state, ...state.states.flatMap(flatten)];

/** Lays a machine out with ELK (layered, nested states inside their parents) and draws it as SVG. */
async function drawMachine(definition: MachineDefinition): Promise<Chart> {
  const edges: Edge[] = [];
  const root = graph(definition.root, edges);
  const known = new Set(flatten(definition.root).map((state) => state.id));
  placeEdges(
    root,
    edges.filter((edge) => known.has(edge.targets[0]!)),
  );
  root.layoutOptions = {
    ...root.layoutOptions,
    'elk.algorithm': 'layered',
    'elk.direction': 'DOWN',
    'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.layered.spacing.nodeNodeBetweenLayers': '36',
    'elk.spacing.nodeNode': '28',
    'elk.spacing.edgeLabel': '4',
    'elk.edgeLabels.placement': 'CENTER',
  };
  const laid = await new ELK().layout(root);
  const states = new Map(flatten(definition.root).map((state) => [state.id, state]));
  const labels = new Map(edges.map((edge) => [edge.id, edge.label]));
  const out: string[] = [];
  drawNode(laid, states, out, 0, 0);
  drawEdges(laid, out, 0, 0, labels);
  const width = Math.ceil(laid.width ?? 0);
  const height = Math.ceil(laid.height ?? 0);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-machine="${escape(definition.id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="state chart of the ${escape(definition.id)} machine">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>` +
    `${out.join('')}</svg>`;
  return { machine: definition.id, svg, states: [...states.keys()] };
}

/** Every machine's chart, in the order `machineDefinitions` lists them. */
export const drawMachines = (): Promise<Chart[]> => Promise.all(machineDefinitions().map(drawMachine));

/** The page's look of a chart, for an SVG file that stands alone (light colours, system font). */
const STANDALONE_STYLE =
  '.state>rect{fill:#f3f5fa;stroke:#8a93a6}.state.compound>rect,.state.parallel>rect,.state>.final-ring{fill:none}.state.parallel>rect{stroke-dasharray:6 3}' +
  '.state text{font:12px system-ui,sans-serif;fill:#1d2330}.state text.invoke{fill:#667;font-size:11px}' +
  '.edge{fill:none;stroke:#8a93a6}marker path{fill:#8a93a6}.edge-label{font:10px system-ui,sans-serif;fill:#667}';

/** A chart as an SVG file of its own (the docs embed these): the same drawing, with its style inside and a white background. */
export const standaloneSvg = (chart: Chart): string =>
  `${chart.svg.replace(/^(<svg[^>]*>)/, `$1<style>${STANDALONE_STYLE}</style><rect width="100%" height="100%" fill="#fff"/>`)}\n`;
