/**
 * Terminal UI figures for `npm run bench`, taken through tmux as a person sees the screen:
 * how long a 20,000-delta answer takes to be on screen (against reading the same stream with a
 * plain fetch), and how long a typed key takes to show in the composer while 20,000 deltas
 * stream (against the same key with nothing streaming). A key counts as shown when
 * capture-pane has it, so each figure includes one tmux round trip.
 */
import { startScriptedServer, type Script } from '../../actors/model/index.js';
import { scene } from '../e2e/cli.harness.js';
import { hasTmux, TmuxTui } from '../e2e/tui.harness.js';
import { median, rawStreamMs } from './measure.js';
import { fmt, record, say } from './report.js';

const DELTAS = 20_000;
const KEYS = 15;

/** An answer of DELTAS one-word deltas, then a short message that marks its end. */
const answer = (delayMs: number, end: string): Script['turns'][number] => [
  { text: 'word '.repeat(DELTAS), chunks: ['word '], repeat: DELTAS, delayMs },
  { text: end },
];

/** Polls the screen as fast as tmux answers until `test` holds; the time it took, from `since`. */
async function shownAfter(tui: TmuxTui, since: number, test: (screen: string) => boolean): Promise<number> {
  for (;;) {
    const screen = await tui.screen();
    if (test(screen)) return performance.now() - since;
    if (performance.now() - since > 120_000) throw new Error(`the TUI bench waited two minutes for the screen; it shows:\n${screen}`);
  }
}

/** Types KEYS letters one by one, each timed until the composer shows it; stops early once `until` is on screen. */
async function keystrokes(tui: TmuxTui, until: string | null): Promise<number[]> {
  const times: number[] = [];
  let typed = '';
  for (let i = 0; i < KEYS; i++) {
    const key = String.fromCharCode(97 + (i % 26));
    typed += key;
    const started = performance.now();
    await tui.type(key);
    times.push(await shownAfter(tui, started, (screen) => screen.includes(`│ › ${typed}`)));
    if (until !== null && (await tui.screen()).includes(until)) break;
  }
  // Ctrl+U empties the composer for what comes next.
  await tui.keys('C-u');
  await shownAfter(tui, performance.now(), (screen) => !screen.includes(`│ › ${typed}`));
  return times;
}

async function send(tui: TmuxTui, prompt: string): Promise<number> {
  await tui.type(prompt);
  await shownAfter(tui, performance.now(), (screen) => screen.includes(`│ › ${prompt}`));
  const started = performance.now();
  await tui.keys('Enter');
  return started;
}

export async function runTuiBench(): Promise<void> {
  if (!hasTmux) {
    say('tui: not measured (tmux is not installed)');
    return;
  }
  const raw = await startScriptedServer({ script: { turns: [answer(0, 'END-OF-FIRST')] } });
  const rawMs = await rawStreamMs(raw.url);
  await raw.close();

  // The second answer streams slowly enough (about a millisecond a delta) to type during it.
  const s = await scene({ turns: [answer(0, 'END-OF-FIRST'), answer(0.5, 'END-OF-SECOND')] });
  let tui: TmuxTui | null = null;
  try {
    tui = await TmuxTui.start(s, ['-a', 'never']);
    await shownAfter(tui, performance.now(), (screen) => screen.includes('sandbox workspace-write'));
    const idle = await keystrokes(tui, null);

    const started = await send(tui, 'first');
    const renderMs = await shownAfter(tui, started, (screen) => screen.includes('END-OF-FIRST') && !screen.includes('working'));
    say(
      `tui: a ${DELTAS}-delta answer on screen in ${fmt(renderMs)} ms from Enter; a plain fetch of the same stream ${fmt(rawMs)} ms; ratio ${fmt(renderMs / rawMs, 2)}x`,
    );
    record({ key: 'tui.render20kMs', unit: 'ms', value: renderMs, versus: { name: 'raw stream', value: rawMs, ratio: renderMs / rawMs } });

    const second = await send(tui, 'second');
    await shownAfter(tui, second, (screen) => screen.includes('word word word'));
    const busy = await keystrokes(tui, 'END-OF-SECOND');
    const streaming = (await tui.screen()).includes('END-OF-SECOND') ? 'some after the answer ended' : 'all while it streamed';
    const busyMs = median(busy);
    const idleMs = median(idle);
    say(
      `tui: key to screen while ${DELTAS} deltas stream ${fmt(busyMs)} ms median, ${fmt(Math.max(...busy))} ms worst of ${busy.length} (${streaming}); ` +
        `idle ${fmt(idleMs)} ms median; ratio ${fmt(busyMs / idleMs, 2)}x`,
    );
    record({
      key: 'tui.keyToScreenStreamingMs',
      unit: 'ms',
      value: busyMs,
      versus: { name: 'idle', value: idleMs, ratio: busyMs / idleMs },
      runs: busy.length,
    });
  } finally {
    await tui?.kill();
    await s.cleanup();
  }
}
