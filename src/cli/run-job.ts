/**
 * Runs a job for the CLI: the live status view on stderr (unless --quiet), the summary at the
 * end, the Prometheus endpoint (--metrics-port) and the final metrics file (--metrics-json).
 * SIGINT / SIGTERM / a closed stdout cancel the job and end the process (see interrupts.ts).
 */
import { writeFile } from 'node:fs/promises';
import type { JobDefinition } from '../api/define-job.js';
import type { JobExecutionResult } from '../client/job-run.js';
import { submitJob, type JobClient } from '../client/submit.js';
import type { Configuration } from '../config/configuration.js';
import { JobCancelledError } from '../errors.js';
import type { CliValues } from './args.js';
import { exitInterrupted, JobInterrupts } from './interrupts.js';
import { showStatus, summaryLines } from './status-view.js';

/** Runs a job with the live status view (unless --quiet), then prints the summary and writes --metrics-json. */
export async function runWithStatus(
  job: JobDefinition,
  options: { config: Configuration; params: Record<string, string>; module?: string },
  values: CliValues,
  inputBytes?: number,
): Promise<JobExecutionResult> {
  const client = submitJob(job, { ...options, metricsPort: metricsPort(values) });
  return watchWithStatus(client, client.result, values, inputBytes);
}

/** --metrics-port as a number, if given (checked before the job by `checkRunOptions`). */
export function metricsPort(values: CliValues): number | undefined {
  const port = values['metrics-port'];
  return port === undefined ? undefined : Number(port);
}

/**
 * Shows a running job's status view (unless --quiet) until `result` settles, then prints the
 * summary and writes --metrics-json; settles as `result` does.
 */
export async function watchWithStatus(
  client: JobClient,
  result: Promise<JobExecutionResult>,
  values: CliValues,
  inputBytes?: number,
): Promise<JobExecutionResult> {
  const started = performance.now();
  const interrupts = new JobInterrupts(() => client.cancel());
  if (client.metricsUrl) {
    client.metricsUrl.then((url) => process.stderr.write(`Prometheus metrics at ${url}\n`)).catch(() => {});
  }
  const stop = values.quiet ? () => {} : showStatus(client, { stream: process.stderr, inputBytes });
  let final: JobExecutionResult;
  try {
    final = await result;
  } catch (error) {
    if (interrupts.reason && error instanceof JobCancelledError) {
      stop();
      // Awaited here, so a second signal still exits at once while the figures are written.
      return await exitInterrupted(interrupts.reason, () => writeCancelledMetricsJson(values['metrics-json'], client, interrupts.reason!, started));
    }
    throw error;
  } finally {
    stop();
    interrupts.dispose();
  }
  if (!values.quiet) process.stderr.write(`${summaryLines(final).join('\n')}\n`);
  await writeMetricsJson(values['metrics-json'], final);
  return final;
}

/** Writes the final figures of a finished job to `path` (--metrics-json), if given. */
export async function writeMetricsJson(path: string | undefined, result: JobExecutionResult): Promise<void> {
  if (!path) return;
  await writeFile(
    path,
    `${JSON.stringify({ jobName: result.jobName, status: 'FINISHED', durationMs: result.durationMs, tasks: result.tasks, metrics: result.metrics, networkSegments: result.networkSegments }, null, 2)}\n`,
  );
}

/**
 * Writes the figures of a job cancelled by `reason` to `path` (--metrics-json), if given: Flink's
 * status CANCELED, what cancelled it, and a metrics snapshot taken after the cancel (counts up to it).
 * The per-subtask `tasks` and `networkSegments` of a finished job are not known for a cancelled one.
 */
export async function writeCancelledMetricsJson(path: string | undefined, client: JobClient, reason: string, startedMs: number): Promise<void> {
  if (!path) return;
  let metrics: unknown;
  try {
    metrics = client.metrics();
  } catch {
    metrics = undefined; // metrics off
  }
  await writeFile(
    path,
    `${JSON.stringify({ jobName: client.jobName, status: 'CANCELED', cancelledBy: reason, durationMs: performance.now() - startedMs, metrics }, null, 2)}\n`,
  );
}
