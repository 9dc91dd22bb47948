// Import rules checked by `npm run lint`: no runtime import cycles, and layers point down only.
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A runtime import cycle: modules on it load in an order that depends on the entry point. Type-only imports may close a cycle.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'layers-point-down',
      severity: 'error',
      comment: 'Records, storage, namespaces, operations, indexes, UDFs, config, env and the shared modules beside them (limits, errors, clock, log) sit below commands, the client service, info and the node: they must not import them.',
      from: { path: '^packages/server/src/((storage|namespace|record|ops|sindex|udf|config|env)/|(limits|command-error|os-error|clock|log)\\.ts$)' },
      to: { path: '^packages/server/src/(commands/|service/|info/|node\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs'] },
  },
}
