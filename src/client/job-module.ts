/**
 * Loading a job module, the same way in the CLI and in task-slot workers: JavaScript or
 * TypeScript, ESM or CommonJS (by extension and the nearest package.json's "type", as Node
 * decides), and finding the job among its exports.
 *
 * TypeScript goes through tsx, with both of its loaders: the ESM one (`tsx/esm/api`) and the
 * CommonJS one (`tsx/cjs/api`), since a `.ts` file in a `"type": "commonjs"` package (what
 * `npm init -y` writes) is CommonJS and only loads with both. `.cjs` / `.cts` files are loaded
 * with `require`, everything else with `import()`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isJobDefinition, type JobDefinition } from '../api/define-job.js';
import { errors } from '../errors.js';

let tsxRegistered = false;

/** Registers tsx's ESM and CJS loaders in this thread (once). */
async function registerTsx(): Promise<void> {
  if (tsxRegistered) return;
  tsxRegistered = true;
  const esm = (await import('tsx/esm/api')) as { register: () => unknown };
  const cjs = (await import('tsx/cjs/api')) as { register: () => unknown };
  esm.register();
  cjs.register();
}

/** Imports the job module at `url` (a file: URL); its exports. */
export async function importJobModule(url: string): Promise<Record<string, unknown>> {
  const path = fileURLToPath(url);
  if (/\.[cm]?ts$/.test(path)) await registerTsx();
  if (/\.c[jt]s$/.test(path)) {
    return { default: createRequire(url)(path) as unknown }; // as import() would give it
  }
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw explainLoadError(error, path);
  }
}

/**
 * The job among a module's exports: the `exportName` export if given, else its only job export,
 * else `default`. A CommonJS module's exports arrive wrapped (`module.exports` as `default`, a
 * compiled `export default` as `default.default`); both are looked through.
 */
export function findJob(exports: Record<string, unknown>, exportName?: string): JobDefinition | undefined {
  const inner = exports.default;
  const scopes = [exports, ...(typeof inner === 'object' && inner !== null && !isJobDefinition(inner) ? [inner as Record<string, unknown>] : [])];
  if (exportName) {
    for (const scope of scopes) if (isJobDefinition(scope[exportName])) return scope[exportName];
    return undefined;
  }
  for (const scope of scopes) {
    const jobs = [...new Set(Object.values(scope).filter(isJobDefinition))];
    if (isJobDefinition(scope.default)) return scope.default;
    if (jobs.length === 1) return jobs[0];
    if (jobs.length > 1) throw errors.invalidJob('the module exports several jobs and none as default: pass { exportName } to execute() to choose one');
  }
  return undefined;
}

/**
 * A clearer error for an ES module that Node loads as CommonJS: a `.js` file with import/export,
 * or a `.ts` file with a top-level await (tsx compiles `.ts` in a "commonjs" package to CommonJS,
 * which has no top-level await), in a package whose package.json does not say "type": "module".
 */
function explainLoadError(error: unknown, path: string): unknown {
  const message = error instanceof Error ? error.message : '';
  const esmSyntax = error instanceof SyntaxError && /\.js$/.test(path) && /import statement outside a module|Unexpected token 'export'/.test(message);
  const topLevelAwait = /\.ts$/.test(path) && /Top-level await is currently not supported with the "cjs" output format/.test(message);
  if (!esmSyntax && !topLevelAwait) return error;
  const pkg = nearestPackageJson(path);
  const where = pkg ? `the nearest package.json (${pkg}) does not say "type": "module"` : 'no package.json above it says "type": "module"';
  const esmName = path.replace(/\.([jt])s$/, '.m$1s');
  return errors.invalidJob(
    topLevelAwait
      ? `${path} uses a top-level await, which only an ES module may, but Node loads it as CommonJS: ${where}. ` +
          `Rename it to ${esmName}, set "type": "module" in that package.json, or call execute(job).then(...) instead of awaiting it`
      : `${path} uses import/export, but Node loads it as CommonJS: ${where}. ` +
          `Rename it to ${esmName}, set "type": "module" in that package.json, or write it with require() and module.exports`,
  );
}

function nearestPackageJson(path: string): string | undefined {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
