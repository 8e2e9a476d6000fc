/**
 * The client layer (Flink's MiniCluster / local executor): the only layer that knows both the
 * DataStream API (to build the job) and the runtime (to run it).
 *
 * Runs a job once on its own local TaskManager, as `execute`, `executeAndCollect` and `submit`
 * do: plans the job, starts a TaskManager (task-manager.ts) sized for it, runs one execution
 * attempt (execution-attempt.ts) on it and closes the TaskManager when the attempt ended, however
 * it ended. A caller that wants to redeploy a job after a failure keeps a TaskManager and runs
 * new ExecutionAttempts on it instead.
 */
import type { JobDefinition } from '../api/define-job.js';
import type { Configuration } from '../config/configuration.js';
import type { ExecutionPlan } from '../graph/execution-plan.js';
import type { StreamGraph } from '../graph/stream-graph.js';
import type { JobMetricsReader } from '../runtime/metrics/metrics-reader.js';
import type { ExecuteOptions, JobExecutionResult } from './execute-options.js';
import { ExecutionAttempt } from './execution-attempt.js';
import type { CollectReader } from './slot-deployment.js';
import { planJob } from './plan-job.js';
import { TaskManager } from './task-manager.js';

export type { ExecuteOptions, JobExecutionResult } from './execute-options.js';
export type { CollectReader } from './slot-deployment.js';

/** A planned job with its TaskManager and its one execution attempt, ready to run. */
export class JobRun {
  readonly jobName: string;
  readonly graph: StreamGraph;
  readonly plan: ExecutionPlan;
  readonly config: Configuration;
  readonly taskManager: TaskManager;
  readonly attempt: ExecutionAttempt;

  constructor(job: JobDefinition, options: ExecuteOptions) {
    const planned = planJob(job, options.config, options.params);
    this.config = planned.config;
    this.jobName = planned.jobName;
    this.graph = planned.graph;
    this.plan = planned.plan;
    this.taskManager = TaskManager.forJob(planned, options.resourceLimits);
    // Nothing runs yet (the TaskManager starts its workers with the first slot), so a job
    // refused here leaves nothing to close.
    this.attempt = new ExecutionAttempt(this.taskManager, job, planned, options);
  }

  get collects(): CollectReader[] {
    return this.attempt.collects;
  }

  get metrics(): JobMetricsReader | undefined {
    return this.attempt.metrics;
  }

  /**
   * Runs the attempt and closes the TaskManager; resolves when every task finished, rejects on
   * failure or cancel. With collect() sinks, `collected` must settle once the main thread has read
   * them to the end.
   */
  async run(collected?: Promise<unknown>): Promise<JobExecutionResult> {
    try {
      return await this.attempt.run(collected);
    } finally {
      await this.taskManager.close();
    }
  }

  /** Cancels the job: every task stops at its next step or wait. */
  cancel(): void {
    this.attempt.cancel();
  }
}
