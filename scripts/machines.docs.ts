/**
 * `npm run docs:machines`: draws each machine's chart (the drawing `statecraft inspect --machines`
 * shows: ELK layout, in Node, no browser) into docs/machines/<machine>.svg, which
 * docs/ARCHITECTURE.md embeds. test/docs/machines.svg.test.ts fails when a file is stale.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { drawMachines, standaloneSvg } from '../adapters/inspector/charts.js';

const root = resolve(import.meta.dirname, '..');
const folder = join(root, 'docs/machines');
await mkdir(folder, { recursive: true });
for (const chart of await drawMachines()) {
  const file = join(folder, `${chart.machine}.svg`);
  await writeFile(file, standaloneSvg(chart));
  process.stdout.write(`wrote ${relative(root, file)}\n`);
}
