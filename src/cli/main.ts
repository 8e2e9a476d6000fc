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
import { explain } from '../client/plan-job.js';
import { resolveNetworkMemory } from '../config/network-memory-config.js';
import { StromError } from '../errors.js';
import { configuration, parse } from './args.js';
import { effectiveConfiguration, formatEffectiveConfiguration } from './config-command.js';
import { loadJob } from './load-job.js';
import { runWithStatus } from './run-job.js';
import { COMMAND_HELP, HELP, UsageError, version } from './usage.js';
import { wordCount } from './word-count-command.js';

async function run(argv: string[]): Promise<number> {
  const { values, positionals, params } = parse(argv);
  const command = values.version ? 'version' : (positionals[0] ?? 'help');
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
