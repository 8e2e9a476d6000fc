/**
 * Where `execute`, `executeAndCollect` and `submit` send a job. A job module is a program: it may
 * run itself at its top level (`export default job; await execute(job)`), and it is imported in
 * several places, yet it must run its job exactly once, on the main thread:
 *
 * - no host (`node job.js`, `tsx job.ts`, imported by a script): the calls run the job here;
 * - a task-slot worker installs an inert host: the worker imports the module only to get the job
 *   from defineJob (job-registry.ts), so the calls never run it and never settle (a pending
 *   promise or iterator, an inert JobClient), and the module's code after its first `await` of
 *   them never runs there;
 * - the CLI installs its host while it loads the module: `strom run` runs the module's calls
 *   itself (its params and configuration winning, with its status view) and `strom explain`
 *   explains the job instead of running it.
 *
 * The host lives on `globalThis` under `Symbol.for('strom.jobHost')` so that every copy of strom
 * in a thread (an ESM and a CJS build) sees it; its shape is the contract between copies.
 */
import type { JobDefinition } from '../api/define-job.js';
import type { ExecuteOptions, JobExecutionResult } from './job-run.js';
import type { CollectedJob } from './execute.js';
import type { JobClient, SubmitOptions } from './submit.js';

/** Runs (or declines to run) the jobs a job module starts. */
export interface JobHost {
  execute(job: JobDefinition, options: ExecuteOptions): Promise<JobExecutionResult>;
  executeAndCollect<T>(job: JobDefinition, options: ExecuteOptions): CollectedJob<T>;
  submit(job: JobDefinition, options: SubmitOptions): JobClient;
}

const HOST = Symbol.for('strom.jobHost');

type HostHolder = { [HOST]?: JobHost };

/** The host installed in this thread, if any. */
export function jobHost(): JobHost | undefined {
  return (globalThis as HostHolder)[HOST];
}

/**
 * Installs `host` for this thread until the returned function is called (which puts back the
 * previous one). The CLI installs its host around loading a job module; a task-slot worker
 * installs the inert host for good.
 */
export function installJobHost(host: JobHost): () => void {
  const holder = globalThis as HostHolder;
  const previous = holder[HOST];
  holder[HOST] = host;
  return () => {
    if (holder[HOST] === host) holder[HOST] = previous;
  };
}
