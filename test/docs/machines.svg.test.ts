/** docs/machines/*.svg are the charts as the code draws them now: regenerate them with `npm run docs:machines` when this fails. */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drawMachines, standaloneSvg } from '../../adapters/inspector/charts.js';

const folder = resolve(import.meta.dirname, '../../docs/machines');

describe('the machine charts in docs/', () => {
  it('are one SVG per machine, drawn as the machines are now, and the architecture doc shows each', async () => {
    const charts = await drawMachines();
    const files = (await readdir(folder)).filter((name) => name.endsWith('.svg')).sort();
    expect(files, 'docs/machines holds one SVG per machine (run `npm run docs:machines`)').toEqual(charts.map((chart) => `${chart.machine}.svg`).sort());
    const architecture = await readFile(resolve(folder, '../ARCHITECTURE.md'), 'utf8');
    for (const chart of charts) {
      const committed = await readFile(join(folder, `${chart.machine}.svg`), 'utf8');
      expect(committed === standaloneSvg(chart), `docs/machines/${chart.machine}.svg is stale: run \`npm run docs:machines\` and commit it`).toBe(true);
      expect(architecture).toContain(`](machines/${chart.machine}.svg)`);
    }
  }, 180_000);
});
