/**
 * The command line: strom's own options, job parameters after `--`, and the configuration they
 * and the environment give (defaults < --config file < STROM_PROPERTIES < -D < --parallelism/--mode).
 */
import { parseArgs } from 'node:util';
import type { ConfigEntry } from '../config/config-file.js';
import { loadConfiguration } from '../config/config-loader.js';
import type { Configuration } from '../config/configuration.js';
import { DEFAULT_PARALLELISM, RUNTIME_MODE } from '../config/config-options.js';
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

/** The effective configuration of a command: file, environment, -D, then --parallelism / --mode. */
export function configuration(values: { config?: string; parallelism?: string; mode?: string; D?: string[] }): Configuration {
  const dynamic: Array<string | ConfigEntry> = [...(values.D ?? [])];
  if (values.parallelism !== undefined) dynamic.push({ key: DEFAULT_PARALLELISM.key, value: values.parallelism, origin: '--parallelism' });
  if (values.mode !== undefined) dynamic.push({ key: RUNTIME_MODE.key, value: values.mode, origin: '--mode' });
  return loadConfiguration({ file: values.config, env: process.env, dynamic });
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
      quiet: { type: 'boolean', short: 'q' },
      'metrics-json': { type: 'string' },
      'metrics-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  return { values, positionals, params: jobParams(rest) };
}

/** The parsed options of a command. */
export type CliValues = ReturnType<typeof parse>['values'];
