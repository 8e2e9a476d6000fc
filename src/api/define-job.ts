/**
 * A job is a module whose default export is `defineJob((env, params) => { ... })`. The runtime
 * calls the builder once in the main thread, to plan, and once in every worker thread, to get
 * the operators' functions (JS functions cannot be shipped between threads). The builder must
 * therefore build the same pipeline every time; strom checks a fingerprint of the graph in each
 * worker and fails with a clear error when it differs.
 *
 * Each job is also registered in the thread's job registry (job-registry.ts), so a worker gets
 * it from defineJob itself, whatever the module does after defining it (a job module may run
 * itself at its top level: see client/job-host.ts for what that does in each place). A job
 * must therefore be defined at its module's top level, before the module's first top-level
 * `await execute(...)`: a worker's copy of the module never gets past that await.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errors } from '../errors.js';
import { nextJobId, registerJob } from './job-registry.js';
import type { StreamExecutionEnvironment } from './stream-execution-environment.js';

/** Parameters passed to a job (from the CLI's `-- key=value ...` or from code). */
export type JobParameters = Readonly<Record<string, string>>;

/** What `defineJob` returns; the default export of a job module. */
export interface JobDefinition<P extends JobParameters = JobParameters> {
  readonly kind: 'strom-job';
  /** file: URL of the module that called defineJob (worker threads import it), when known. */
  readonly module: string | undefined;
  /**
   * `<module>#<n>`: the n-th job (from 0) that module defined in this thread; a worker thread
   * takes the job with this id when it imports the module. Undefined when the module is unknown.
   */
  readonly id: string | undefined;
  /** Builds the pipeline on `env`; may return the job's name. */
  readonly build: (env: StreamExecutionEnvironment, params: P) => string | void;
}

/** The name a job gets when its builder returns none. */
export const DEFAULT_JOB_NAME = 'strom job';

/**
 * Builds `job`'s pipeline on `env` and returns the job's name: the string the builder returned,
 * else the default. Anything else it returns (an arrow body such as
 * `env => env.fromElements(1).print()` returns its sink) is ignored.
 */
export function buildJob(job: JobDefinition, env: StreamExecutionEnvironment, params: JobParameters): string {
  const built: unknown = job.build(env, params as never);
  return typeof built === 'string' && built !== '' ? built : DEFAULT_JOB_NAME;
}

/** Declares a job: `export default defineJob((env, params) => { env.fromElements(...)... })`. */
export function defineJob<P extends JobParameters = JobParameters>(
  build: (env: StreamExecutionEnvironment, params: P) => string | void,
): JobDefinition<P> {
  if (typeof build !== 'function') {
    throw errors.invalidArgumentType('defineJob argument', build, 'expected a function (env, params) => { ... }');
  }
  const module = callerModule();
  const id = module === undefined ? undefined : nextJobId(module);
  const job = Object.freeze({ kind: 'strom-job' as const, module, id, build });
  if (id !== undefined) registerJob(id, job as JobDefinition);
  return job;
}

/**
 * The module that called defineJob: the file of the first stack frame below defineJob, read
 * from V8's call sites rather than the stack text, which source maps (tsx, --enable-source-maps)
 * rewrite to the original `.ts` files.
 */
function callerModule(): string | undefined {
  const holder: { stack?: unknown } = {};
  const { prepareStackTrace, stackTraceLimit } = Error;
  let sites: NodeJS.CallSite[] | undefined;
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_error, callSites) => callSites;
    Error.captureStackTrace(holder, defineJob);
    sites = holder.stack as NodeJS.CallSite[] | undefined;
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
  const file = Array.isArray(sites) ? sites[0]?.getFileName() : undefined;
  return file ? moduleUrl(file) : undefined;
}

/**
 * A module's location as the file: URL that names it in job ids: paths become URLs, and a
 * query or hash (added by some loaders) is dropped. Undefined for non-file modules.
 */
export function moduleUrl(location: string | URL): string | undefined {
  const text = String(location);
  if (isAbsolute(text)) return pathToFileURL(text).href;
  if (!text.startsWith('file:')) return undefined;
  const url = new URL(text);
  url.search = '';
  url.hash = '';
  return url.href;
}

/** True for values made by `defineJob` (e.g. a module's default export). */
export function isJobDefinition(value: unknown): value is JobDefinition {
  return typeof value === 'object' && value !== null && (value as JobDefinition).kind === 'strom-job' && typeof (value as JobDefinition).build === 'function';
}
