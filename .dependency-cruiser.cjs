// The layering of docs/architecture: front doors -> app -> engine -> domain, never back up.
// `npm run lint` runs this (and ESLint); a violation names the importing file and the rule.
const ENGINE = '^src-main/core/(store|data|splits|train|eval)/';
const CORE_SHARED = '^src-main/core/[^/]+\\.ts$'; // paths, rng, process: engine-level helpers
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'a cycle between files', from: {}, to: { circular: true } },
    {
      name: 'no-package-cycles', severity: 'error', comment: 'a cycle between packages (folders)',
      scope: 'folder', from: { path: '^src-main/' }, to: { circular: true },
    },
    {
      name: 'domain-is-a-leaf', severity: 'error', comment: 'domain/ imports only domain/ and zod (the renderer imports it too)',
      from: { path: '^src-main/core/domain/' },
      to: { pathNot: ['^src-main/core/domain/', '^node_modules/zod/'] },
    },
    {
      name: 'engine-below-app', severity: 'error', comment: 'store, data, splits, train and eval never import the app layer or a front door',
      from: { path: [ENGINE, CORE_SHARED] },
      to: { path: ['^src-main/core/app/', '^src-main/(cli|server|shell)/', '^src-renderer/'] },
    },
    {
      name: 'app-below-doors', severity: 'error', comment: 'the app layer never imports a front door',
      from: { path: '^src-main/core/app/' },
      to: { path: ['^src-main/(cli|server|shell)/', '^src-renderer/'] },
    },
    {
      name: 'doors-through-app', severity: 'error', comment: 'front doors reach the engine only through the app layer (the dispatcher)',
      from: { path: '^src-main/(cli|server|shell)/' },
      to: { path: ENGINE, pathNot: '^src-main/core/store/store\\.ts$' },
    },
    {
      name: 'renderer-imports-domain-only', severity: 'error', comment: 'the renderer may import domain/ and nothing else of src-main',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/', pathNot: '^src-main/core/domain/' },
    },
    {
      name: 'doors-apart', severity: 'error', comment: 'one front door does not import another',
      from: { path: '^src-main/(server|shell)/' },
      to: { path: '^src-main/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.mjs', '.js', '.cjs', '.svelte', '.json'] },
    exclude: { path: ['^node_modules', '^out/', '^dist/'] },
  },
};
