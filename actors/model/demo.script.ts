import type { Script } from './script.schema.js';

/** The offline demo: the model looks around with a slow, chatty command, then sums up. */
export const demoScript: Script = {
  turns: [
    [{ reasoning: ['Looking at the workspace first.'] }, { call: 'exec_command', args: { cmd: 'for i in 1 2 3; do echo "step $i"; sleep 0.3; done; ls' } }],
    [
      {
        text: 'The command printed three steps and listed the workspace: a README.md and a src folder with hello.ts.',
        chunks: ['The command printed ', 'three steps and listed ', 'the workspace: a README.md ', 'and a src folder with hello.ts.'],
        delayMs: 60,
      },
    ],
  ],
};
