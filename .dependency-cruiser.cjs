/**
 * The layers and who may use whom (README, Architecture). `npm test` runs this check; a
 * violation names the import that crosses a boundary.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'machines-are-pure',
      comment: 'machines/ decides and touches nothing: it imports protocol/, xstate and itself only (no Node modules, no actors).',
      severity: 'error',
      from: { path: '^machines/' },
      to: { pathNot: ['^machines/', '^protocol/', '^node_modules/xstate/'] },
    },
    {
      name: 'protocol-is-schemas',
      comment: 'protocol/ describes the wire with zod and nothing else.',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { pathNot: ['^protocol/', '^node_modules/zod/'] },
    },
    {
      name: 'actors-do-not-know-adapters',
      comment: 'actors/ acts for the machines; adapters are built on it, never the other way.',
      severity: 'error',
      from: { path: '^actors/' },
      to: { path: '^adapters/' },
    },
    {
      name: 'adapters-use-the-runtime',
      comment:
        'adapters/ translate: they reach the agent through actors/runtime (its index is their face) and protocol/. ' +
        'The CLI tool subcommands that are not threads (apply-patch, execpolicy, sandbox, mcp, mock-model, the demo, schema generation; ' +
        'their code loads from program.ts when they run) and the shared output buffer are the listed exceptions. The app-server names ' +
        "statecraft's home in its `initialize` answer from config.paths.ts: the runtime loads only with the first thread request.",
      severity: 'error',
      from: {
        path: '^adapters/',
        pathNot: [
          '^adapters/cli/(apply\\.patch|execpolicy|sandbox|demo|mcp)\\.command\\.ts$',
          '^adapters/cli/program\\.ts$',
          '^adapters/shared/output\\.backlog\\.ts$',
        ],
      },
      to: { path: '^(actors/(?!runtime/index\\.ts$)|machines/)', pathNot: ['^actors/config/config\\.paths\\.ts$'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|test|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
