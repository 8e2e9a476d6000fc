#!/usr/bin/env node
/**
 * The `strom` command: run a job module, run the built-in WordCount, or explain a job's plan.
 *
 *   strom run <job-module> [--parallelism N] [--mode streaming|batch] [-D key=value ...] [-- job params]
 *   strom wordcount [input] [--output path] [--parallelism N] [--mode streaming|batch]
 *   strom explain <job-module> [--parallelism N] [-D key=value ...] [-- job params]
 *   strom config [--config file] [-D key=value ...] [--json]
 *
 * Every command reads its configuration with `loadConfiguration`: defaults < `--config` file
 * (or `$STROM_CONF_DIR/strom.yaml`) < `STROM_PROPERTIES` < -D, then --parallelism / --mode.
 *
 * Exit codes: 0 success, 1 the job failed, 2 bad usage or configuration.
 */
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isJobDefinition, type JobDefinition } from '../api/define-job.js';
import { executeAndCollect } from '../client/execute.js';
import type { JobExecutionResult } from '../client/job-run.js';
import { submit } from '../client/submit.js';
import { explain } from '../client/plan-job.js';
import type { ConfigEntry } from '../config/config-file.js';
import { loadConfiguration } from '../config/config-loader.js';
import type { Configuration } from '../config/configuration.js';
import { DEFAULT_PARALLELISM, RUNTIME_MODE } from '../config/config-options.js';
import { resolveNetworkMemory } from '../config/network-memory-config.js';
import { StromError } from '../errors.js';
import { effectiveConfiguration, formatEffectiveConfiguration } from './config-command.js';
import { showStatus, summaryLines } from './status-view.js';

const require = createRequire(import.meta.url);
const { version } = require('../../../package.json') as { version: string };

const HELP = `strom ${version}: a fast local stream-processing engine for Node.js

Usage:
  strom run <job-module> [options] [-- job params]   run a job (a module whose default export is defineJob(...))
  strom wordcount [input] [options]                   count words (Flink's WordCount; embedded text without input)
  strom explain <job-module> [options] [-- params]    print the job's plan without running it
  strom config [options]                              print the effective configuration and where each value came from
  strom help | version

Options:
  -p, --parallelism N       default parallelism (parallelism.default)
  -m, --mode MODE           streaming or batch (execution.runtime-mode)
  -D key=value              any configuration key, e.g. -D taskmanager.numberOfTaskSlots=4
  -c, --config FILE         a strom.yaml / strom.json file (default: $STROM_CONF_DIR/strom.yaml if set)
      --json                (config) print JSON instead of a table
  -o, --output PATH         (wordcount) write the counts to PATH instead of printing the top words
  -q, --quiet               (run, wordcount) no live status view and no summary
      --metrics-json FILE   (run, wordcount) write the final metrics of every subtask to FILE
      --metrics-port PORT   (run, wordcount) serve Prometheus metrics on 127.0.0.1:PORT while the job runs
  -h, --help                this help (also: strom <command> --help)

Job params after "--" are passed to the job as { key: value } from "--key value" pairs.
Configuration, later winning: defaults < --config file < STROM_PROPERTIES ("key: value" lines)
< -D < --parallelism/--mode. Keys and formats: docs/configuration.md.
`;

const COMMAND_HELP: Record<string, string> = {
  run: `Usage: strom run <job-module> [-p N] [-m streaming|batch] [-D key=value ...] [-c file] [-q]
                 [--metrics-json FILE] [--metrics-port PORT] [-- --key value ...]

Runs a job module (.js, .mjs or .ts) whose default export is defineJob((env, params) => ...).
While it runs, a status view on stderr shows each task's records/s, back-pressure and buffers
(a refreshing table on a terminal, log lines otherwise); a summary follows at the end.
Exit code 0 on success, 1 when the job fails, 2 for bad usage or configuration.
`,
  wordcount: `Usage: strom wordcount [input] [-o path] [-p N] [-m streaming|batch] [-D key=value ...] [-q]

Flink's WordCount: lower-cases each line, splits on non-word characters and counts the words.
Without input it counts an embedded text; without -o it prints the top words and a summary.
Runs in BATCH mode unless -m or the configuration says otherwise.
`,
  explain: `Usage: strom explain <job-module> [-p N] [-D key=value ...] [-c file] [-- --key value ...]

Prints the job's plan without running it: tasks, chains, parallelism, partitioners, slots,
key groups and network buffers.
`,
  config: `Usage: strom config [-c file] [-D key=value ...] [--json]

Prints every configuration key with its effective value and where it came from
(default, file, STROM_PROPERTIES, -D). Keys and formats: docs/configuration.md.
`,
};

class UsageError extends Error {}

/** `--key value` pairs after `--`, Flink ParameterTool style. */
function jobParams(args: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`job parameters are "--key value" pairs; got '${arg}'`);
    const key = arg.slice(2);
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) params[key] = 'true';
    else {
      params[key] = next;
      i++;
    }
  }
  return params;
}

/** The effective configuration of a command: file, environment, -D, then --parallelism / --mode. */
function configuration(values: { config?: string; parallelism?: string; mode?: string; D?: string[] }): Configuration {
  const dynamic: Array<string | ConfigEntry> = [...(values.D ?? [])];
  if (values.parallelism !== undefined) dynamic.push({ key: DEFAULT_PARALLELISM.key, value: values.parallelism, origin: '--parallelism' });
  if (values.mode !== undefined) dynamic.push({ key: RUNTIME_MODE.key, value: values.mode, origin: '--mode' });
  return loadConfiguration({ file: values.config, env: process.env, dynamic });
}

async function loadJob(path: string): Promise<{ job: JobDefinition; module: string }> {
  const module = pathToFileURL(resolve(path)).href;
  if (/\.[cm]?ts$/.test(path)) {
    const tsx = (await import('tsx/esm/api')) as { register: () => unknown };
    tsx.register();
  }
  const exports = (await import(module)) as Record<string, unknown>;
  const jobs = [...new Set(Object.values(exports).filter(isJobDefinition))];
  const job = isJobDefinition(exports.default) ? exports.default : jobs.length === 1 ? jobs[0] : undefined;
  if (!job) throw new UsageError(`${path} does not export a job: export default defineJob((env, params) => { ... })`);
  return { job, module };
}

function parse(argv: string[]) {
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const rest = dash >= 0 ? argv.slice(dash + 1) : [];
  const { values, positionals } = parseArgs({
    args: own,
    allowPositionals: true,
    options: {
      parallelism: { type: 'string', short: 'p' },
      mode: { type: 'string', short: 'm' },
      D: { type: 'string', short: 'D', multiple: true },
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      quiet: { type: 'boolean', short: 'q' },
      'metrics-json': { type: 'string' },
      'metrics-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return { values, positionals, params: jobParams(rest) };
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals, params } = parse(argv);
  const command = positionals[0] ?? 'help';
  if (values.help || command === 'help') {
    process.stdout.write(COMMAND_HELP[command] ?? HELP);
    return 0;
  }
  switch (command) {
    case 'version':
      process.stdout.write(`${version}\n`);
      return 0;
    case 'run': {
      const path = positionals[1];
      if (!path) throw new UsageError('strom run needs a job module: strom run my-job.js');
      const { job, module } = await loadJob(path);
      await runWithStatus(job, { config: configuration(values), params, module }, values);
      return 0;
    }
    case 'explain': {
      const path = positionals[1];
      if (!path) throw new UsageError('strom explain needs a job module: strom explain my-job.js');
      const { job } = await loadJob(path);
      process.stdout.write(`${explain(job, { config: configuration(values), params })}\n`);
      return 0;
    }
    case 'wordcount':
      return wordCount(positionals[1], values);
    case 'config': {
      const config = configuration(values);
      resolveNetworkMemory(config); // fails on contradicting memory settings, as a job would
      process.stdout.write(values.json ? `${JSON.stringify(effectiveConfiguration(config), null, 2)}\n` : formatEffectiveConfiguration(config));
      return 0;
    }
    default:
      throw new UsageError(`unknown command '${command}'. Run 'strom help' for the list of commands.`);
  }
}

async function wordCount(input: string | undefined, values: ReturnType<typeof parse>['values']): Promise<number> {
  const module = new URL('../../examples/word-count.js', import.meta.url).href;
  const { default: job } = (await import(module)) as { default: JobDefinition };
  const config = configuration(values);
  // WordCount prints final counts, so it runs in BATCH unless a source asks otherwise.
  if (!config.contains(RUNTIME_MODE)) config.set(RUNTIME_MODE, 'BATCH', 'wordcount default');
  const params: Record<string, string> = {};
  if (input) params.input = resolve(input);
  if (values.output) {
    params.output = resolve(values.output);
    const inputBytes = input ? statSync(params.input!).size : undefined;
    const result = await runWithStatus(job, { config, params, module }, values, inputBytes);
    process.stdout.write(`Wrote the counts to ${params.output} in ${result.durationMs.toFixed(0)} ms.\n`);
    return 0;
  }
  params.collect = 'true';
  const started = performance.now();
  const counts = new Map<string, number>();
  const collected = executeAndCollect<[string, number]>(job, { config, params, module });
  const stop = values.quiet ? () => {} : showStatus(collected.client, { stream: process.stderr, inputBytes: input ? statSync(params.input!).size : undefined });
  try {
    for await (const [word, count] of collected) counts.set(word, Math.max(count, counts.get(word) ?? 0));
  } finally {
    stop();
  }
  const result = await collected.result;
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

/** Runs a job with the live status view (unless --quiet), then prints the summary and writes --metrics-json. */
async function runWithStatus(
  job: JobDefinition,
  options: { config: Configuration; params: Record<string, string>; module: string },
  values: ReturnType<typeof parse>['values'],
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

async function writeMetricsJson(path: string | undefined, result: JobExecutionResult): Promise<void> {
  if (!path) return;
  await writeFile(path, `${JSON.stringify({ jobName: result.jobName, durationMs: result.durationMs, tasks: result.tasks, metrics: result.metrics, networkSegments: result.networkSegments }, null, 2)}\n`);
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (error) {
    if (error instanceof UsageError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) {
      process.stderr.write(`strom: ${(error as Error).message}\n`);
      return 2;
    }
    if (error instanceof StromError && (error.code === 'ERR_INVALID_CONFIG' || error.code === 'ERR_CONFIG_SOURCE')) {
      process.stderr.write(`strom: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`strom: ${message}\n`);
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.stack) process.stderr.write(`caused by: ${cause.stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
