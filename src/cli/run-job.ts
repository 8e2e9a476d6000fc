/**
 * Runs a job for the CLI: the live status view on stderr (unless --quiet), the summary at the
 * end, the Prometheus endpoint (--metrics-port) and the final metrics file (--metrics-json).
 */
import { writeFile } from 'node:fs/promises';
import type { JobDefinition } from '../api/define-job.js';
import type { JobExecutionResult } from '../client/job-run.js';
import { submitJob, type JobClient } from '../client/submit.js';
import type { Configuration } from '../config/configuration.js';
import type { CliValues } from './args.js';
import { showStatus, summaryLines } from './status-view.js';
import { UsageError } from './usage.js';

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

/** --metrics-port as a number, if given. */
export function metricsPort(values: CliValues): number | undefined {
  const port = values['metrics-port'];
  if (port !== undefined && !/^\d+$/.test(port)) throw new UsageError(`--metrics-port expects a port number, got '${port}'`);
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
  if (client.metricsUrl) {
    client.metricsUrl.then((url) => process.stderr.write(`Prometheus metrics at ${url}\n`)).catch(() => {});
  }
  const stop = values.quiet ? () => {} : showStatus(client, { stream: process.stderr, inputBytes });
  let final: JobExecutionResult;
  try {
    final = await result;
  } finally {
    stop();
  }
  if (!values.quiet) process.stderr.write(`${summaryLines(final).join('\n')}\n`);
  await writeMetricsJson(values['metrics-json'], final);
  return final;
}

export async function writeMetricsJson(path: string | undefined, result: JobExecutionResult): Promise<void> {
  if (!path) return;
  await writeFile(path, `${JSON.stringify({ jobName: result.jobName, durationMs: result.durationMs, tasks: result.tasks, metrics: result.metrics, networkSegments: result.networkSegments }, null, 2)}\n`);
}
