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
 * Exit codes (./exit-codes.ts): 0 success, 1 the job failed, 2 bad usage or configuration (the
 * job never started). Errors print one line naming the cause and the fix; --verbose or
 * STROM_DEBUG=1 adds the stack traces.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { explain } from '../client/plan-job.js';
import { resolveNetworkMemory } from '../config/network-memory-config.js';
import { JobExecutionError, StromError } from '../errors.js';
import { checkCommandOptions, checkRunOptions, configuration, isVerbose, parse, type CliValues } from './args.js';
import { effectiveConfiguration, formatEffectiveConfiguration } from './config-command.js';
import { ExitCode, exitCodeOf, isUsageError, USER_FAILURE_CODES } from './exit-codes.js';
import { commandLineOptions, jobToExplain, runJobModule } from './module-host.js';
import { muteWarningsStromExplains } from './node-warnings.js';
import { COMMAND_HELP, HELP, UsageError, version } from './usage.js';
import { wordCount } from './word-count-command.js';

async function run(argv: string[]): Promise<number> {
  const { values, positionals, params } = parse(argv);
  const command = values.version ? 'version' : (positionals[0] ?? 'help');
  if (values.help || command === 'help') {
    process.stdout.write(COMMAND_HELP[command] ?? HELP);
    return ExitCode.OK;
  }
  checkCommandOptions(command, values);
  switch (command) {
    case 'version':
      process.stdout.write(`${version}\n`);
      return ExitCode.OK;
    case 'run': {
      const path = positionals[1];
      if (!path) throw new UsageError('run needs a job module: strom run my-job.js');
      checkJobModule('run', path);
      checkRunOptions(values);
      await runJobModule(path, values, params, configuration(values));
      return ExitCode.OK;
    }
    case 'explain': {
      const path = positionals[1];
      if (!path) throw new UsageError('explain needs a job module: strom explain my-job.js');
      checkJobModule('explain', path);
      // A module that runs itself at its top level is explained, never run (module-host.ts).
      const { job, options } = await jobToExplain(path);
      process.stdout.write(`${explain(job, commandLineOptions(options, values, params))}\n`);
      return ExitCode.OK;
    }
    case 'wordcount': {
      const input = positionals[1];
      if (input !== undefined && !statSync(input, { throwIfNoEntry: false })?.isFile()) {
        throw new UsageError(`input file '${input}' not found (looked at ${resolve(input)}): give a text file, or no input to count the embedded text`);
      }
      checkRunOptions(values);
      return wordCount(input, values);
    }
    case 'config': {
      const config = configuration(values);
      resolveNetworkMemory(config); // fails on contradicting memory settings, as a job would
      process.stdout.write(values.json ? `${JSON.stringify(effectiveConfiguration(config), null, 2)}\n` : formatEffectiveConfiguration(config));
      return ExitCode.OK;
    }
    default:
      throw new UsageError(`unknown command '${command}'. Run 'strom help' for the list of commands.`);
  }
}

/** A job module path that does not exist is a usage error, in one line. */
function checkJobModule(command: string, path: string): void {
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) {
    throw new UsageError(
      `job module '${path}' not found (looked at ${resolve(path)}): strom ${command} takes a JavaScript or TypeScript module (.js, .mjs, .cjs, .ts, .mts, .cts) whose default export is defineJob(...)`,
    );
  }
}

/** Prints `error` for the user: one line, and the stack traces only when verbose. */
function report(error: unknown, verbose: boolean): void {
  // One line: node's parseArgs messages span several.
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
  process.stderr.write(`strom: ${message}\n`);
  if (exitCodeOf(error) === ExitCode.USAGE) {
    if (verbose && error instanceof Error && !isUsageError(error)) process.stderr.write(`${error.stack}\n`);
    return;
  }
  if (verbose) {
    if (!(error instanceof JobExecutionError) && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    for (let cause = (error as { cause?: unknown }).cause; cause instanceof Error; cause = (cause as { cause?: unknown }).cause) {
      process.stderr.write(`caused by: ${cause.stack ?? cause.message}\n`);
    }
    return;
  }
  // A failure whose message names the cause and the fix needs no more; anything else (a user
  // function that threw, a worker that died, a bug in strom) gets a pointer to the stack trace.
  const failureCode = error instanceof JobExecutionError ? error.failureCode : error instanceof StromError ? error.code : undefined;
  if (failureCode === undefined || !USER_FAILURE_CODES.has(failureCode)) {
    process.stderr.write('strom: run with --verbose (or STROM_DEBUG=1) for the stack trace\n');
  }
}

export async function main(argv: string[]): Promise<number> {
  muteWarningsStromExplains();
  // Known before parsing, so even a parse error can be reported verbosely; job params after `--` do not count.
  const own = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  const verbose = isVerbose({ verbose: own.includes('--verbose') } as CliValues);
  try {
    return await run(argv);
  } catch (error) {
    report(error, verbose);
    return exitCodeOf(error);
  }
}

process.exitCode = await main(process.argv.slice(2));
