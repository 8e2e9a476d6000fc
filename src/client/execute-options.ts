/**
 * The options of a run (`execute`, `executeAndCollect`, `submit`) and the result of a finished
 * one: what the public API takes and gives, shared by the JobRun facade and the execution attempt.
 */
import type { ResourceLimits } from 'node:worker_threads';
import type { Configuration } from '../config/configuration.js';
import type { TaskMetrics } from '../runtime/deployment.js';
import type { JobMetricsSnapshot } from '../runtime/metrics/job-metrics.js';

/** How to run a job. */
export interface ExecuteOptions {
  /** Job parameters (what the CLI passes after `--`). */
  params?: Record<string, string>;
  /**
   * Configuration (Flink keys). A plain object is applied over the defaults, the config file in
   * `$STROM_CONF_DIR` and `STROM_PROPERTIES`; a Configuration is used exactly as given.
   */
  config?: Record<string, unknown> | Configuration;
  /** Cancels the job (e.g. an unbounded one). The run then rejects with JobCancelledError. */
  signal?: AbortSignal;
  /** The job's module (path or file URL); default: the module that called defineJob. */
  module?: string | URL;
  /** The export holding the job in its module; default: its only job export, else `default`. */
  exportName?: string;
  /**
   * Limits of each task-slot worker thread (heap sizes); a worker exceeding them fails the job.
   * Default: `maxOldGenerationSizeMb` from `taskmanager.memory.task.heap.size` (or derived from
   * the machine's memory and the slots); fields given here win over it.
   */
  resourceLimits?: ResourceLimits;
  /**
   * Task metrics in shared memory (numRecordsIn/Out, busy/idle/back-pressured time, buffers,
   * state size, ...), read with `submit(job).metrics()`. Default true; false skips publishing
   * them (for measuring their cost); the final `tasks` figures of the result are kept either way.
   */
  metrics?: boolean;
  /**
   * Serves the job's metrics to Prometheus on this port (`/metrics`, prom-client text format)
   * while the job runs; 0 picks a free port (see `JobClient.metricsUrl`). Default: no server.
   */
  metricsPort?: number;
  /** Address the Prometheus endpoint listens on. Default `127.0.0.1` (loopback only). */
  metricsHost?: string;
}

/** The outcome of a finished job. */
export interface JobExecutionResult {
  jobName: string;
  /** Wall time from deployment to the last task's end, in ms. */
  durationMs: number;
  /** Per subtask: records and bytes in and out, back-pressured time, duration. */
  tasks: TaskMetrics[];
  /** The plan's task slots used and network segments, to check nothing leaked. */
  slots: number;
  networkSegments: { total: number; availableAtEnd: number };
  /** The final metrics (rates averaged over the whole run); undefined when metrics were off. */
  metrics?: JobMetricsSnapshot;
}
