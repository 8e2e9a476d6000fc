/**
 * `strom wordcount`: Flink's WordCount example on a file or the embedded text, printing the top
 * words (or writing every count with -o).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { JobDefinition } from '../api/define-job.js';
import { executeAndCollect } from '../client/execute.js';
import { DEFAULT_PARALLELISM, RUNTIME_MODE } from '../config/config-options.js';
import { configuration, type CliValues } from './args.js';
import { exitInterrupted, JobInterrupts } from './interrupts.js';
import { metricsPort, runWithStatus, writeCancelledMetricsJson, writeMetricsJson } from './run-job.js';
import { showStatus } from './status-view.js';

export async function wordCount(input: string | undefined, values: CliValues): Promise<number> {
  const module = new URL('../../examples/word-count.js', import.meta.url).href;
  const { default: job } = (await import(module)) as { default: JobDefinition };
  const config = configuration(values);
  // WordCount prints final counts, so it runs in BATCH unless a source asks otherwise.
  if (!config.contains(RUNTIME_MODE)) config.set(RUNTIME_MODE, 'BATCH', 'wordcount default');
  const params: Record<string, string> = {};
  if (input) params.input = resolve(input);
  const inputBytes = input ? statSync(params.input!).size : undefined; // for the progress bar
  if (values.output) {
    params.output = resolve(values.output);
    const result = await runWithStatus(job, { config, params, module }, values, inputBytes);
    process.stdout.write(`Wrote the counts to ${params.output} in ${result.durationMs.toFixed(0)} ms.\n`);
    return 0;
  }
  params.collect = 'true';
  const started = performance.now();
  const counts = new Map<string, number>();
  const collected = executeAndCollect<[string, number]>(job, { config, params, module, metricsPort: metricsPort(values) });
  const interrupts = new JobInterrupts(() => collected.cancel());
  collected.client.metricsUrl?.then((url) => process.stderr.write(`Prometheus metrics at ${url}\n`)).catch(() => {});
  const stop = values.quiet ? () => {} : showStatus(collected.client, { stream: process.stderr, inputBytes });
  let result;
  try {
    for await (const [word, count] of collected) counts.set(word, Math.max(count, counts.get(word) ?? 0));
    // Cancelling ends the iteration quietly and `result` resolves: the interruption tells.
    result = await collected.result;
  } catch (error) {
    interrupts.dispose();
    throw error;
  } finally {
    stop();
  }
  const reason = interrupts.reason;
  if (reason && !result) {
    // Still watching, so a second signal exits at once while the figures are written.
    return exitInterrupted(reason, () => writeCancelledMetricsJson(values['metrics-json'], collected.client, reason, started));
  }
  interrupts.dispose();
  await writeMetricsJson(values['metrics-json'], result);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`Top words${input ? ` in ${input}` : ' (embedded text)'}:\n`);
  for (const [word, count] of top) process.stdout.write(`  ${word.padEnd(16)} ${count}\n`);
  process.stdout.write(
    `${total} words, ${counts.size} distinct, in ${(performance.now() - started).toFixed(0)} ms ` +
      `(parallelism ${config.get(DEFAULT_PARALLELISM)}, ${result.slots} task slots).\n`,
  );
  return 0;
}
