/**
 * `submit(job)`: starts a job on a local TaskManager and returns at once with a handle on it
 * (Flink's JobClient): its result, cancel, and its metrics while it runs (a snapshot on demand,
 * periodic snapshots as an async iterator or 'metrics' events, and optionally a Prometheus
 * endpoint). `execute()` is `submit(job).result`.
 */
import { EventEmitter } from 'node:events';
import { errors, StromError } from '../errors.js';
import type { JobDefinition } from '../api/define-job.js';
import type { JobMetricsSnapshot } from '../runtime/metrics/job-metrics.js';
import type { RawSample } from '../runtime/metrics/metrics-reader.js';
import type { PrometheusExporter } from '../runtime/metrics/prometheus-exporter.js';
import { jobHost } from './job-host.js';
import { JobRun, type ExecuteOptions, type JobExecutionResult } from './job-run.js';

/** Options of `submit`: those of `execute`, plus the period of 'metrics' events. */
export interface SubmitOptions extends ExecuteOptions {
  /** Period of the 'metrics' events in ms (emitted only while someone listens). Default 1000. */
  metricsIntervalMs?: number;
}

/** Events of a JobClient. */
export interface JobClientEvents {
  /** A periodic snapshot (every `metricsIntervalMs` while listened to), rates over that period. */
  metrics: [JobMetricsSnapshot];
}

/** A running job. */
export class JobClient extends EventEmitter<JobClientEvents> {
  readonly jobName: string;
  /** Settles when the job ends: the result, or JobExecutionError / JobCancelledError. */
  readonly result: Promise<JobExecutionResult>;
  /**
   * The Prometheus endpoint's URL (`http://127.0.0.1:<port>/metrics`) once it listens, when
   * `metricsPort` was given; undefined otherwise. Rejects if the server could not start.
   */
  readonly metricsUrl: Promise<string> | undefined;
  /** Undefined for an inert client (see `inert`). */
  readonly #run: JobRun | undefined;
  #ended = false;
  readonly #whenEnded: Promise<void>;
  /** The previous sample of `metrics()`, for its rates. */
  #previous: RawSample | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #intervalMs: number;

  /**
   * @internal use `submit()` (or `executeAndCollect()`, which passes `collected`: the promise
   * that settles once the main thread has read the collect() sinks to their end). Without a
   * run the client is inert: what `submit()` returns where a job module must not run its job
   * (a task-slot worker importing the module, `strom explain`): its result and snapshots never
   * settle, it emits no events, `cancel()` does nothing and `metrics()` throws.
   */
  constructor(run: JobRun | undefined, options: SubmitOptions, collected?: Promise<unknown>) {
    super();
    this.#run = run;
    this.jobName = run?.jobName ?? '';
    if (!run) {
      this.#intervalMs = 1000;
      this.result = new Promise<never>(() => {});
      this.#whenEnded = new Promise<never>(() => {});
      this.metricsUrl = undefined;
      return;
    }
    const interval = options.metricsIntervalMs ?? 1000;
    if (!(interval > 0)) throw new RangeError(`metricsIntervalMs must be a positive number of ms, got ${String(interval)}`);
    this.#intervalMs = interval;
    let exporter: Promise<PrometheusExporter> | undefined;
    const port = options.metricsPort;
    if (port !== undefined) {
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new RangeError(`metricsPort must be an integer port from 0 to 65535 (0: any free port), got ${String(port)}`);
      }
      if (!run.metrics) throw new RangeError('metricsPort needs metrics: metrics must not be false');
      const reader = run.metrics;
      let previous: RawSample | undefined;
      const snapshot = () => {
        const current = reader.sample();
        const taken = reader.snapshot(current, previous);
        previous = current;
        return taken;
      };
      // Loaded on demand: worker threads import strom too, and need no HTTP server or prom-client.
      exporter = import('../runtime/metrics/prometheus-exporter.js').then(({ PrometheusExporter }) =>
        PrometheusExporter.start({ port, host: options.metricsHost, snapshot }),
      );
      this.metricsUrl = exporter.then((e) => e.url);
      this.metricsUrl.catch(() => {}); // reported through `result`
    }
    this.result = (async () => {
      // The endpoint listens before the job starts, so a scrape never misses its beginning.
      const server = exporter ? await exporter : undefined;
      try {
        return await run.run(collected);
      } finally {
        this.#ended = true;
        if (this.#timer) clearInterval(this.#timer);
        await server?.close();
      }
    })();
    this.#whenEnded = this.result.then(
      () => {},
      () => {},
    );
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event === 'metrics' && !this.#timer && !this.#ended && run.metrics) this.#startEvents();
    });
  }

  #startEvents(): void {
    const reader = this.#run!.metrics!;
    let previous = reader.sample();
    this.#timer = setInterval(() => {
      if (this.listenerCount('metrics') === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
        return;
      }
      const current = reader.sample();
      const snapshot = reader.snapshot(current, previous);
      previous = current;
      this.emit('metrics', snapshot);
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** True once the job ended (successfully or not). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Cancels the job: `result` then rejects with JobCancelledError. */
  cancel(): void {
    this.#run?.cancel();
  }

  /**
   * A snapshot of every subtask and of the TaskManager now; rates cover the time since the
   * previous `metrics()` call (the first call: since the job started). Works after the end too.
   * Throws ERR_METRICS_DISABLED when the job runs with `metrics: false`.
   */
  metrics(): JobMetricsSnapshot {
    const reader = this.#reader();
    const current = reader.sample();
    const snapshot = reader.snapshot(current, this.#previous);
    this.#previous = current;
    return snapshot;
  }

  /**
   * Snapshots every `intervalMs` (rates over that interval) while the job runs, then one last
   * snapshot after it ended, then the iteration ends (also when the job fails: see `result`).
   */
  async *snapshots(intervalMs = 1000): AsyncGenerator<JobMetricsSnapshot, void, undefined> {
    if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be a positive number of ms, got ${String(intervalMs)}`);
    if (!this.#run) await this.#whenEnded; // an inert client: never
    const reader = this.#reader();
    let previous = reader.sample();
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<void>((resolve) => (timer = setTimeout(resolve, intervalMs)));
      await Promise.race([tick, this.#whenEnded]);
      clearTimeout(timer);
      const ended = this.#ended;
      const current = reader.sample();
      yield reader.snapshot(current, previous);
      previous = current;
      if (ended) return;
    }
  }

  #reader(): NonNullable<JobRun['metrics']> {
    if (!this.#run) {
      throw new StromError(
        'ERR_JOB_NOT_RUN_HERE',
        'This JobClient does not run its job: submit() was called where a job module must not run its job (a task-slot worker importing the module, or strom explain)',
      );
    }
    const reader = this.#run.metrics;
    if (!reader) throw new StromError('ERR_METRICS_DISABLED', `Job '${this.jobName}' runs with metrics: false; it has no metrics to read`);
    return reader;
  }
}

/**
 * Starts `job` on a fresh local TaskManager and returns its JobClient at once. Jobs with
 * collect() sinks run with `executeAndCollect()` instead.
 *
 * Called by a job module at its top level, it runs the job only where the module is run as a
 * program (see job-host.ts): in a task-slot worker importing the module it returns an inert
 * client (its `result` never settles), under `strom run` the CLI runs the job.
 */
export function submit(job: JobDefinition, options: SubmitOptions = {}): JobClient {
  const host = jobHost();
  return host ? host.submit(job, options) : submitJob(job, options);
}

/** `submit()` here and now, whatever host is installed (the CLI's host runs jobs with it). */
export function submitJob(job: JobDefinition, options: SubmitOptions = {}): JobClient {
  const run = new JobRun(job, options);
  if (run.collects.length > 0) {
    throw errors.invalidJob(`job '${run.jobName}' has collect() sinks: run it with executeAndCollect() to read them`);
  }
  return new JobClient(run, options);
}
