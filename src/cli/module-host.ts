/**
 * What the CLI does with a job module that runs itself (`export default job; await
 * execute(job, {...})` at its top level): while the CLI imports the module, its host
 * (client/job-host.ts) receives the module's execute / executeAndCollect / submit calls.
 *
 * - `strom run`: each call runs once, here, with the status view; the CLI's job params win over
 *   the call's `params`, and the command line's --config / -D / --parallelism / --mode over the
 *   call's `config`. The module's code after its `await` then runs with the result, and the CLI
 *   does not run the job again.
 * - `strom explain`: the calls never run and never settle; the first one's job is explained.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { JobDefinition } from '../api/define-job.js';
import { executeAndCollectJob, type CollectedJob } from '../client/execute.js';
import { inertJobHost } from '../client/inert-job-host.js';
import { installJobHost, type JobHost } from '../client/job-host.js';
import { findJob, importJobModule } from '../client/job-module.js';
import type { ExecuteOptions, JobExecutionResult } from '../client/job-run.js';
import { submitJob, type JobClient, type SubmitOptions } from '../client/submit.js';
import { loadConfiguration } from '../config/config-loader.js';
import { Configuration } from '../config/configuration.js';
import { JobCancelledError } from '../errors.js';
import { commandLineConfiguration, type CliValues } from './args.js';
import { metricsPort, runWithStatus, watchWithStatus } from './run-job.js';
import { UsageError } from './usage.js';

/** The CLI's job params and command line, applied over a job module's own options. */
export function commandLineOptions<O extends ExecuteOptions>(options: O, values: CliValues, params: Record<string, string>): O {
  const own = options.config;
  const base = own instanceof Configuration ? own : loadConfiguration({ code: own ?? {} });
  return {
    ...options,
    params: { ...options.params, ...params },
    config: base.merge(commandLineConfiguration(values)),
    metricsPort: metricsPort(values) ?? options.metricsPort,
  };
}

/** Runs the calls of a job module loaded by `strom run`. */
class RunHost implements JobHost {
  readonly #clients: JobClient[] = [];
  /** Each routed job's end (after its summary); rejected when it failed. */
  readonly #ends: Array<Promise<unknown>> = [];

  constructor(
    private readonly values: CliValues,
    private readonly params: Record<string, string>,
  ) {}

  /** True once the module started a job. */
  get ran(): boolean {
    return this.#clients.length > 0;
  }

  execute(job: JobDefinition, options: ExecuteOptions): Promise<JobExecutionResult> {
    try {
      const client = submitJob(job, commandLineOptions(options, this.values, this.params));
      return this.#watch(client, client.result);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  executeAndCollect<T>(job: JobDefinition, options: ExecuteOptions): CollectedJob<T> {
    const collected = executeAndCollectJob<T>(job, commandLineOptions(options, this.values, this.params));
    this.#watch(collected.client, collected.client.result).catch(() => {}); // reported by finish()
    return collected;
  }

  submit(job: JobDefinition, options: SubmitOptions): JobClient {
    const client = submitJob(job, commandLineOptions(options, this.values, this.params));
    this.#watch(client, client.result).catch(() => {}); // reported by finish()
    return client;
  }

  #watch(client: JobClient, result: Promise<JobExecutionResult>): Promise<JobExecutionResult> {
    const watched = watchWithStatus(client, result, this.values);
    this.#clients.push(client);
    this.#ends.push(watched);
    return watched;
  }

  /**
   * Waits for the module's jobs to end. When the module failed (`moduleError`), the jobs still
   * running are cancelled first, as ending the program would, and the module's error is what
   * counts. Otherwise throws the first job failure, even one the module caught: `strom run`
   * exits 1 when a job failed (a cancel is no failure).
   */
  async finish(moduleError?: unknown): Promise<void> {
    if (moduleError !== undefined) for (const client of this.#clients) client.cancel();
    const ends = await Promise.allSettled(this.#ends);
    if (moduleError !== undefined) return;
    const failed = ends.find((end) => end.status === 'rejected' && !(end.reason instanceof JobCancelledError));
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}

/** The file: URL of a job module named on the command line. */
function moduleArgument(path: string): string {
  return pathToFileURL(resolve(path)).href;
}

/** Imports the module with `host` installed while its evaluation lasts. */
function importWith(url: string, host: JobHost): Promise<Record<string, unknown>> {
  const uninstall = installJobHost(host);
  const imported = importJobModule(url);
  imported.then(uninstall, uninstall);
  return imported;
}

function exportedJob(exports: Record<string, unknown>, path: string): JobDefinition {
  const job = findJob(exports);
  if (!job) throw new UsageError(`${path} does not export a job: export default defineJob((env, params) => { ... })`);
  return job;
}

/**
 * `strom run <path>`: imports the module, running the jobs its top level starts; then, if it
 * started none, runs its exported job.
 */
export async function runJobModule(path: string, values: CliValues, params: Record<string, string>, configuration: Configuration): Promise<void> {
  const url = moduleArgument(path);
  const host = new RunHost(values, params);
  let exports: Record<string, unknown>;
  try {
    exports = await importWith(url, host);
  } catch (error) {
    await host.finish(error);
    throw error;
  }
  if (host.ran) return host.finish();
  const job = exportedJob(exports, path);
  await runWithStatus(job, { config: configuration, params, module: job.module === undefined ? url : undefined }, values);
}

/**
 * The job `strom explain <path>` explains, with its options: that of the module's first
 * execute / executeAndCollect / submit call (which does not run), else its exported job.
 */
export async function jobToExplain(path: string): Promise<{ job: JobDefinition; options: ExecuteOptions }> {
  let called!: (target: { job: JobDefinition; options: ExecuteOptions }) => void;
  const firstCall = new Promise<{ job: JobDefinition; options: ExecuteOptions }>((resolve) => (called = resolve));
  const imported = importWith(
    moduleArgument(path),
    inertJobHost((job, options) => called({ job, options })),
  );
  imported.catch(() => {}); // once a call came, the module's fate no longer matters
  const first = await Promise.race([firstCall, imported.then((exports) => ({ exports }))]);
  if ('job' in first) return first;
  return { job: exportedJob(first.exports, path), options: {} };
}
