/**
 * The import rules of ARCHITECTURE.md, checked by `npm test` (`npm run check:imports`):
 * no circles (type-only imports count), and imports go down the layers only:
 *
 *   cli, index  →  pipelines  →  operators, report, mosaic, html, charts  →  workers
 *     →  kernels, model, sources, weights, datasets, outputs  →  wasm, types, errors  →  nn
 *
 * Modules of one layer may import each other (no circle); scripts/ and bench/ sit above it all.
 */
const layers = [
  { name: 'entry', path: '^src/(cli/|index\\.ts$)' },
  { name: 'pipelines', path: '^pipelines/' },
  { name: 'stages', path: '^src/(operators|report|mosaic|html|charts)/' },
  { name: 'workers', path: '^src/workers/' },
  { name: 'core', path: '^src/(kernels|model|sources|weights|datasets|outputs)/' },
  { name: 'base', path: '^src/(wasm/|types\\.ts$|errors\\.ts$)' },
  { name: 'nn', path: '^src/nn/' },
];

const upward = layers.flatMap((lower, i) =>
  i === 0
    ? []
    : [{
        name: `no-upward-from-${lower.name}`,
        comment: `${lower.name} must not import a layer above it (${layers.slice(0, i).map((l) => l.name).join(', ')})`,
        severity: 'error',
        from: { path: lower.path },
        to: { path: layers.slice(0, i).map((l) => `(${l.path})`).join('|') },
      }],
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'nn-is-pure',
      comment: 'nn/ is the math: it imports nothing but nn/ (no RxJS, no node:fs, no files).',
      severity: 'error',
      from: { path: '^src/nn/' },
      to: { pathNot: '^src/nn/' },
    },
    {
      name: 'nothing-imports-scripts-or-bench',
      comment: 'scripts/ and bench/ are entry points: the library and the CLI never import them.',
      severity: 'error',
      from: { path: '^(src|pipelines|bin)/' },
      to: { path: '^(scripts|bench|test)/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that names no existing module.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.d.ts'] },
  },
};
