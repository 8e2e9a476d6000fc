/**
 * The host of a place where a job module is imported only for its job and must not run it: a
 * task-slot worker (and `strom explain`). Every call returns something that never settles, so
 * the module's code after its first `await` of it never runs here. A pending promise keeps no
 * thread alive: the worker ends when its pool is destroyed. Code between `submit()` and the
 * module's first `await` does run here (it gets an inert JobClient).
 */
import type { JobDefinition } from '../api/define-job.js';
import { inertCollectedJob } from './execute.js';
import type { JobHost } from './job-host.js';
import { JobClient } from './submit.js';

/** An inert host; `onJob` (if given) sees each job a call passes, with its options. */
export function inertJobHost(onJob?: (job: JobDefinition, options: object) => void): JobHost {
  return {
    execute(job, options) {
      onJob?.(job, options);
      return new Promise<never>(() => {});
    },
    executeAndCollect(job, options) {
      onJob?.(job, options);
      return inertCollectedJob();
    },
    submit(job, options) {
      onJob?.(job, options);
      return new JobClient(undefined, options);
    },
  };
}
