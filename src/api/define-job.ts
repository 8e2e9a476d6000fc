/**
 * A job is a module whose default export is `defineJob((env, params) => { ... })`. The runtime
 * calls the builder once in the main thread, to plan, and once in every worker thread, to get
 * the operators' functions (JS functions cannot be shipped between threads). The builder must
 * therefore build the same pipeline every time; strom checks a fingerprint of the graph in each
 * worker and fails with a clear error when it differs.
 */
import { errors } from '../errors.js';
import type { StreamExecutionEnvironment } from './stream-execution-environment.js';

/** Parameters passed to a job (from the CLI's `-- key=value ...` or from code). */
export type JobParameters = Readonly<Record<string, string>>;

/** What `defineJob` returns; the default export of a job module. */
export interface JobDefinition<P extends JobParameters = JobParameters> {
  readonly kind: 'strom-job';
  /** file: URL of the module that called defineJob (worker threads import it), when known. */
  readonly module: string | undefined;
  /** Builds the pipeline on `env`; may return the job's name. */
  readonly build: (env: StreamExecutionEnvironment, params: P) => string | void;
}

/** Declares a job: `export default defineJob((env, params) => { env.fromElements(...)... })`. */
export function defineJob<P extends JobParameters = JobParameters>(
  build: (env: StreamExecutionEnvironment, params: P) => string | void,
): JobDefinition<P> {
  if (typeof build !== 'function') {
    throw errors.invalidArgumentType('defineJob argument', build, 'expected a function (env, params) => { ... }');
  }
  return Object.freeze({ kind: 'strom-job' as const, module: callerModule(), build });
}

/**
 * The module that called defineJob, from the stack: the first frame outside this file. Worker
 * threads import it to get the job's functions.
 */
function callerModule(): string | undefined {
  const here = import.meta.url;
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const match = /(file:\/\/[^\s)]+?|\/[^\s():]+?):\d+:\d+\)?\s*$/.exec(line);
    if (!match) continue;
    const location = match[1]!;
    const url = location.startsWith('file:') ? location : `file://${location}`;
    if (url !== here) return url;
  }
  return undefined;
}

/** True for values made by `defineJob` (e.g. a module's default export). */
export function isJobDefinition(value: unknown): value is JobDefinition {
  return typeof value === 'object' && value !== null && (value as JobDefinition).kind === 'strom-job' && typeof (value as JobDefinition).build === 'function';
}
