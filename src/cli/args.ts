/**
 * The command line: strom's own options, job parameters after `--`, and the configuration they
 * and the environment give (defaults < --config file < STROM_PROPERTIES < -D < --parallelism/--mode).
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ConfigEntry } from '../config/config-file.js';
import { loadConfiguration } from '../config/config-loader.js';
import type { Configuration } from '../config/configuration.js';
import { DEFAULT_PARALLELISM, FS_OVERWRITE_FILES, RUNTIME_MODE } from '../config/config-options.js';
import { UsageError } from './usage.js';

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

type ConfigValues = { config?: string; parallelism?: string; mode?: string; D?: string[]; overwrite?: boolean };

/** The effective configuration of a command: file, environment, -D, then --parallelism / --mode / --overwrite. */
export function configuration(values: ConfigValues): Configuration {
  return loadConfiguration({ file: values.config, env: process.env, dynamic: dynamicProperties(values) });
}

/**
 * Only what the command line itself sets: the --config file, -D, --parallelism, --mode and --overwrite (no
 * defaults, no environment). It wins over a job module's own `config` when the CLI runs the
 * module's execute() calls.
 */
export function commandLineConfiguration(values: ConfigValues): Configuration {
  return loadConfiguration({ file: values.config, env: {}, dynamic: dynamicProperties(values) });
}

function dynamicProperties(values: ConfigValues): Array<string | ConfigEntry> {
  const dynamic: Array<string | ConfigEntry> = [...(values.D ?? [])];
  if (values.overwrite) dynamic.push({ key: FS_OVERWRITE_FILES.key, value: 'true', origin: '--overwrite' });
  if (values.parallelism !== undefined) dynamic.push({ key: DEFAULT_PARALLELISM.key, value: values.parallelism, origin: '--parallelism' });
  if (values.mode !== undefined) dynamic.push({ key: RUNTIME_MODE.key, value: values.mode, origin: '--mode' });
  return dynamic;
}

export function parse(argv: string[]) {
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
      overwrite: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      'metrics-json': { type: 'string' },
      'metrics-port': { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  return { values, positionals, params: jobParams(rest) };
}

/** The parsed options of a command. */
export type CliValues = ReturnType<typeof parse>['values'];

/** The options each command takes besides -D, --config, --verbose and --help; others are refused. */
const COMMAND_OPTIONS: Readonly<Record<string, readonly (keyof CliValues)[]>> = {
  run: ['parallelism', 'mode', 'overwrite', 'quiet', 'metrics-json', 'metrics-port'],
  wordcount: ['parallelism', 'mode', 'output', 'overwrite', 'quiet', 'metrics-json', 'metrics-port'],
  explain: ['parallelism', 'mode'],
  config: ['parallelism', 'mode', 'json', 'overwrite'],
};
const EVERY_COMMAND: readonly (keyof CliValues)[] = ['D', 'config', 'verbose', 'help', 'version'];

/** Refuses an option the command does not use, rather than ignoring it silently. */
export function checkCommandOptions(command: string, values: CliValues): void {
  const allowed = COMMAND_OPTIONS[command];
  if (!allowed) return;
  for (const [name, value] of Object.entries(values) as [keyof CliValues, unknown][]) {
    if (value === undefined || allowed.includes(name) || EVERY_COMMAND.includes(name)) continue;
    const takers = Object.keys(COMMAND_OPTIONS).filter((c) => COMMAND_OPTIONS[c]!.includes(name));
    const flag = name.length === 1 ? `-${name}` : `--${name}`;
    throw new UsageError(`strom ${command} does not take ${flag} (it applies to: ${takers.map((c) => `strom ${c}`).join(', ')})`);
  }
}

/**
 * Checks the options that only matter once a job runs (--metrics-port, --metrics-json), so a
 * mistake fails at once with exit code 2 instead of being ignored or found after the job.
 */
export function checkRunOptions(values: CliValues): void {
  const port = values['metrics-port'];
  if (port !== undefined && (!/^\d+$/.test(port) || Number(port) > 65535)) {
    throw new UsageError(`--metrics-port expects a port number from 0 to 65535 (0 picks a free port), got '${port}'`);
  }
  const json = values['metrics-json'];
  if (json !== undefined) {
    const path = resolve(json);
    const dir = dirname(path);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`--metrics-json ${json}: the directory ${dir} does not exist; create it or choose another path`);
    }
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`--metrics-json ${json}: ${path} is a directory; give a file path such as ${path}/metrics.json`);
    }
  }
}

/** True when errors should show their stack traces: --verbose or STROM_DEBUG=1. */
export function isVerbose(values: CliValues, env: NodeJS.ProcessEnv = process.env): boolean {
  return values.verbose === true || (env.STROM_DEBUG !== undefined && env.STROM_DEBUG !== '' && env.STROM_DEBUG !== '0');
}
