/**
 * Runs a job for the CLI: the live status view on stderr (unless --quiet), the summary at the
 * end, the Prometheus endpoint (--metrics-port) and the final metrics file (--metrics-json).
 */
import { writeFile } from 'node:fs/promises';
import type { JobDefinition } from '../api/define-job.js';
import type { JobExecutionResult } from '../client/job-run.js';
import { submit } from '../client/submit.js';
import type { Configuration } from '../config/configuration.js';
import type { CliValues } from './args.js';
import { showStatus, summaryLines } from './status-view.js';
import { UsageError } from './usage.js';

/** Runs a job with the live status view (unless --quiet), then prints the summary and writes --metrics-json. */
export async function runWithStatus(
  job: JobDefinition,
  options: { config: Configuration; params: Record<string, string>; module: string },
  values: CliValues,
  inputBytes?: number,
): Promise<JobExecutionResult> {
  const port = values['metrics-port'];
  if (port !== undefined && !/^\d+$/.test(port)) throw new UsageError(`--metrics-port expects a port number, got '${port}'`);
  const client = submit(job, { ...options, metricsPort: port === undefined ? undefined : Number(port) });
  if (client.metricsUrl) {
    client.metricsUrl.then((url) => process.stderr.write(`Prometheus metrics at ${url}\n`)).catch(() => {});
  }
  const stop = values.quiet ? () => {} : showStatus(client, { stream: process.stderr, inputBytes });
  let result: JobExecutionResult;
  try {
    result = await client.result;
  } finally {
    stop();
  }
  if (!values.quiet) process.stderr.write(`${summaryLines(result).join('\n')}\n`);
  await writeMetricsJson(values['metrics-json'], result);
  return result;
}

export async function writeMetricsJson(path: string | undefined, result: JobExecutionResult): Promise<void> {
  if (!path) return;
  await writeFile(path, `${JSON.stringify({ jobName: result.jobName, durationMs: result.durationMs, tasks: result.tasks, metrics: result.metrics, networkSegments: result.networkSegments }, null, 2)}\n`);
}
