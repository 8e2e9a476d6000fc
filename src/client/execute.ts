/**
 * Running jobs from code: `execute(job)` runs a job to its end on a local TaskManager;
 * `executeAndCollect(job)` also streams the records of its `collect()` sinks back to the caller
 * as an async iterator (Flink's executeAndCollect).
 *
 * A job module may run itself (`await execute(job)` at its top level): it runs its job once, on
 * the main thread. Where the module is imported only for its job (a task-slot worker, `strom
 * explain`) these calls never run it and never settle; under `strom run` the CLI runs them
 * (job-host.ts).
 */
import { errors, JobCancelledError } from '../errors.js';
import { ReadStatus, RecordReader } from '../io/record-reader.js';
import { jobHost } from './job-host.js';
import { JobRun, type ExecuteOptions, type JobExecutionResult } from './job-run.js';
import { JobClient, submitJob } from './submit.js';
import type { JobDefinition } from '../api/define-job.js';

export type { ExecuteOptions, JobExecutionResult } from './job-run.js';

/** Runs `job` to its end; rejects with JobExecutionError on failure, JobCancelledError on cancel. */
export function execute(job: JobDefinition, options: ExecuteOptions = {}): Promise<JobExecutionResult> {
  const host = jobHost();
  if (host) return host.execute(job, options);
  try {
    return submitJob(job, options).result;
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The records of a job's collect() sinks, as they arrive, plus the job's result. */
export interface CollectedJob<T> extends AsyncIterable<T> {
  /** The running job: live metrics (`metrics()`, `snapshots()`, 'metrics' events) while it runs. */
  readonly client: JobClient;
  /** Settles when the job ends (after the iterator was read to its end or closed). */
  readonly result: Promise<JobExecutionResult>;
  /** Cancels the job; the iterator then ends. */
  cancel(): void;
}

/**
 * Runs `job` and yields the records of its collect() sinks (several sinks: interleaved).
 * Breaking out of the loop cancels the job; the iteration then ends without an error.
 */
export function executeAndCollect<T = unknown>(job: JobDefinition, options: ExecuteOptions = {}): CollectedJob<T> {
  const host = jobHost();
  return host ? host.executeAndCollect<T>(job, options) : executeAndCollectJob<T>(job, options);
}

/** `executeAndCollect()` here and now, whatever host is installed (the CLI's host runs jobs with it). */
export function executeAndCollectJob<T = unknown>(job: JobDefinition, options: ExecuteOptions = {}): CollectedJob<T> {
  const run = new JobRun(job, options);
  if (run.collects.length === 0) {
    throw errors.invalidJob(`job '${run.jobName}' has no collect() sink: add .collect() to the stream to read`);
  }
  const readers = run.collects.map((c) => ({ reader: new RecordReader<T>(c.pool, c.group, c.type.createSerializer() as never), group: c.group }));
  let drained!: () => void;
  const collected = new Promise<void>((resolve) => (drained = resolve));
  let closedEarly = false;
  const client = new JobClient(run, options, collected);
  const result = client.result.catch((error: unknown) => {
    if (closedEarly && error instanceof JobCancelledError) return undefined as unknown as JobExecutionResult;
    throw error;
  });
  let failure: unknown;
  result.catch((error: unknown) => (failure = error));

  async function* iterate(): AsyncGenerator<T> {
    try {
      let open = readers.length;
      const ended = new Array<boolean>(readers.length).fill(false);
      while (open > 0) {
        let progressed = false;
        for (let i = 0; i < readers.length; i++) {
          if (ended[i]) continue;
          const { reader } = readers[i]!;
          for (let n = 0; n < 1024; n++) {
            const status = reader.next();
            if (status === ReadStatus.RECORD) {
              progressed = true;
              yield reader.value!;
            } else if (status === ReadStatus.END) {
              ended[i] = true;
              open--;
              break;
            } else if (status === ReadStatus.EMPTY) break; // events, watermarks and statuses: read on
          }
        }
        if (failure) throw failure;
        if (!progressed && open > 0) {
          const group = readers.find((_, i) => !ended[i])!.group;
          const alive = await group.waitForDataAsync(() => readers.some((r, i) => !ended[i] && r.reader.hasInput()), 20);
          if (!alive) break; // cancelled
        }
      }
    } finally {
      if (readers.some((r) => !r.reader.finished)) {
        closedEarly = true;
        run.cancel();
        for (const { reader } of readers) reader.releaseAll();
      }
      drained();
    }
    await result;
    if (failure) throw failure;
  }

  return {
    client,
    [Symbol.asyncIterator]: () => iterate(),
    result: result as Promise<JobExecutionResult>,
    cancel: () => {
      closedEarly = true;
      run.cancel();
    },
  };
}

/**
 * A CollectedJob that never runs: its iterator, its result and its client never settle (what
 * `executeAndCollect()` returns where a job module must not run its job).
 */
export function inertCollectedJob<T>(): CollectedJob<T> {
  const never = new Promise<never>(() => {});
  return {
    client: new JobClient(undefined, {}),
    result: never,
    [Symbol.asyncIterator]: () => ({ next: () => never }),
    cancel: () => {},
  };
}
