/**
 * Plans a job without running it: builds its StreamGraph, chains it into a JobGraph and lays
 * out the subtasks, slots, channels and buffers (the ExecutionPlan). Shared by running and
 * explaining a job.
 */
import { buildJob, type JobDefinition } from '../api/define-job.js';
import { StreamExecutionEnvironment } from '../api/stream-execution-environment.js';
import { loadConfiguration } from '../config/config-loader.js';
import { Configuration } from '../config/configuration.js';
import { DEFAULT_PARALLELISM, MAX_PARALLELISM, NUMBER_OF_TASK_SLOTS, OPERATOR_CHAINING, RUNTIME_MODE } from '../config/config-options.js';
import { resolveNetworkMemory } from '../config/network-memory-config.js';
import { explainPlan } from '../graph/explain.js';
import { createExecutionPlan, type ExecutionPlan } from '../graph/execution-plan.js';
import { createJobGraph } from '../graph/job-graph.js';
import type { StreamGraph } from '../graph/stream-graph.js';

export interface PlannedJob {
  jobName: string;
  config: Configuration;
  graph: StreamGraph;
  plan: ExecutionPlan;
}

/** Plans `job` with `config` (Flink keys) and `params`; throws the planning errors (slots, buffers, ...). */
export function planJob(
  job: JobDefinition,
  config: Record<string, unknown> | Configuration = {},
  params: Record<string, string> = {},
): PlannedJob {
  // A plain object is the "code" layer over the config file ($STROM_CONF_DIR) and
  // STROM_PROPERTIES, as Flink's environment reads FLINK_CONF_DIR; a Configuration is used as is.
  const configuration = config instanceof Configuration ? config : loadConfiguration({ code: config });
  const env = new StreamExecutionEnvironment(configuration);
  const jobName = buildJob(job, env, params);
  const graph = env.getStreamGraph(jobName);
  const jobGraph = createJobGraph(graph, {
    defaultParallelism: configuration.get(DEFAULT_PARALLELISM),
    maxParallelism: configuration.get(MAX_PARALLELISM),
    chaining: configuration.get(OPERATOR_CHAINING),
  });
  const plan = createExecutionPlan(jobGraph, {
    // Not set: this TaskManager is started for this one job and sized to it (Flink's MiniCluster).
    numberOfTaskSlots: configuration.get(NUMBER_OF_TASK_SLOTS),
    network: resolveNetworkMemory(configuration),
    mode: configuration.get(RUNTIME_MODE),
  });
  return { jobName, config: configuration, graph, plan };
}

/** The job's plan as text (tasks, chains, parallelism, partitioners, slots, buffers), Flink style. */
export function explain(job: JobDefinition, options: { config?: Record<string, unknown> | Configuration; params?: Record<string, string> } = {}): string {
  return explainPlan(planJob(job, options.config, options.params).plan);
}
