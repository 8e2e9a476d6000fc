/**
 * The layer rule of README.md's "Layout": the layers of src/ depend only downward; nothing
 * below imports from above. `npm run lint:layers` (part of `npm test`) checks it on the
 * TypeScript sources, and fails naming each offending import.
 *
 * Type-only imports (`import type`, `import { type X }`) count like any other import: a type
 * from a higher layer in a lower layer's signatures ties that layer to the one above just the
 * same, and erasing it at compile time does not change the design. (The sources are parsed with
 * swc, which reports them as ordinary imports.)
 *
 * What this cannot see: a module loaded by a URL computed at run time (`new URL(...)` then
 * `import(url)`, a worker file). There are two: client/task-manager.ts starts client/slot-worker.ts
 * (same layer), and cli/word-count-command.ts imports examples/word-count.js for
 * `strom wordcount` (src/ reaching into examples/, which the rule below forbids for static
 * imports; it is kept on purpose because the package ships dist/examples for that command).
 *
 * Layers, top first. Each may import the ones after it, never the ones before it.
 */
const LAYERS = [
  {
    name: 'index',
    path: '^src/index\\.ts$',
    why: 'index.ts is the public surface; inside strom, import the module you need, not the surface',
  },
  { name: 'cli', path: '^src/cli/', why: 'the `strom` command is the top: nothing in src/ runs it' },
  {
    name: 'client',
    path: '^src/client/',
    why: 'the client runs jobs built with the API on the runtime; the layers it drives must not know about it',
  },
  {
    name: 'testing',
    path: '^src/testing/',
    why: 'strom/testing (the test harnesses) drives operators the API builds, in the caller\'s thread; the API, the runtime and below must not depend on a test utility',
  },
  {
    name: 'api',
    path: '^src/api/',
    why: 'the DataStream API only describes jobs (it builds StreamGraphs); the runtime and below never build jobs',
  },
  {
    name: 'runtime',
    path: '^src/runtime/',
    why: 'the runtime sits above the graph: a task runs the operators the StreamGraph describes, and the graph never imports the runtime',
  },
  {
    name: 'graph',
    path: '^src/graph/',
    why: 'StreamGraph -> JobGraph -> ExecutionPlan is plain description; keyed state and everything below know nothing of plans',
  },
  {
    name: 'functions',
    path: '^src/(functions|eventtime)/',
    why: "user function contracts (process functions, runtime context, side-output tags) and watermark strategies are what the graph holds and the runtime calls; they know state's descriptors but nothing of plans or tasks",
  },
  {
    name: 'state',
    path: '^src/state/',
    why: 'keyed state is used by keyed operators; channels and serializers below it must not depend on state',
  },
  {
    name: 'io',
    path: '^src/io/',
    why: 'channels, record writer/reader and key groups move serialized records; types and memory below are independent of them',
  },
  {
    name: 'types',
    path: '^src/types/',
    why: 'type information and serializers are leaves used by io and above; memory and the addon must not depend on them',
  },
  {
    name: 'memory',
    path: '^src/memory/',
    why: 'network and managed memory sit on the addon only; nothing above may leak into memory accounting',
  },
  {
    name: 'native',
    path: '^src/native/',
    why: 'the addon loader is the lowest runtime layer: it may only raise strom errors',
  },
  {
    name: 'config',
    path: '^src/config/',
    why: 'configuration is read by every layer, so it may depend only on errors',
  },
  {
    name: 'errors',
    path: '^src/(errors\\.ts$|errors/)',
    why: 'error classes are the bottom: every layer throws them, so they import no other layer',
  },
];

const layerRules = LAYERS.slice(1).map((layer, i) => ({
  name: `layer-${layer.name}-not-upward`,
  severity: 'error',
  comment: `src/${layer.name} must not import ${LAYERS.slice(0, i + 1)
    .map((l) => l.name)
    .join(', ')} (layers depend only downward): ${layer.why}`,
  from: { path: layer.path },
  to: { path: LAYERS.slice(0, i + 1).map((l) => l.path) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'src-not-to-test',
      severity: 'error',
      comment: 'test/ code (fixtures, helpers) is not shipped; src/ must not import it',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'src-not-to-bench-or-examples',
      severity: 'error',
      comment: 'bench/ and examples/ use strom, not the other way round; src/ must not import them',
      from: { path: '^src/' },
      to: { path: '^(bench|examples)/' },
    },
    {
      name: 'src-resolvable',
      severity: 'error',
      comment:
        'every relative import in src/ must resolve to a file, or the layer rules above could not see where it goes',
      from: { path: '^src/' },
      // usage.ts reads package.json relative to its compiled place in dist/src/cli/.
      to: { couldNotResolve: true, path: '^\\.', pathNot: '^\\.\\./\\.\\./\\.\\./package\\.json$' },
    },
  ],
  options: {
    // The TypeScript sources, parsed with swc (the project's typescript is the native tsgo,
    // which has no JS API for dependency-cruiser to use).
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
