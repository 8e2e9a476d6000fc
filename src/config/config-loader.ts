/**
 * Loads the effective configuration from all of its sources, each value remembering where it
 * came from (`Configuration.origin`).
 *
 * Sources, later ones winning for the same key:
 * 1. defaults (declared with each option in `config-options.ts`);
 * 2. a config file: `options.file` (the CLI's `--config`), or else the first of `strom.yaml`,
 *    `strom.yml`, `strom.json` in the directory named by `STROM_CONF_DIR` (Flink's
 *    `FLINK_CONF_DIR`). No file is read implicitly otherwise: a stray file in the working
 *    directory silently changing a job would be worse than typing `--config`;
 * 3. the environment variable `STROM_PROPERTIES`: newline-separated `key: value` lines (Flink's
 *    `FLINK_PROPERTIES` convention from its Docker images), read as YAML like a config file.
 *    There are no per-key variables: Flink has none, and no mapping from `FOO_BAR` back to
 *    `taskmanager.numberOfTaskSlots` / `segment-size` is unambiguous;
 * 4. dynamic properties: `-D key=value` (and the CLI's `--parallelism` / `--mode`, after them);
 * 5. options passed in code.
 *
 * Depends on: configuration, config-file, ../errors.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { errors } from '../errors.js';
import { CONFIG_FILE_NAMES, parseConfigText, readConfigFile, type ConfigEntry } from './config-file.js';
import { Configuration } from './configuration.js';

/** The environment variable naming a directory that holds `strom.yaml` (Flink: `FLINK_CONF_DIR`). */
export const CONF_DIR_ENV = 'STROM_CONF_DIR';
/** The environment variable holding `key: value` lines (Flink: `FLINK_PROPERTIES`). */
export const PROPERTIES_ENV = 'STROM_PROPERTIES';

/** What {@link loadConfiguration} reads. Every field is optional. */
export interface LoadConfigurationOptions {
  /** A `strom.yaml` / `strom.yml` / `strom.json` file (`.json` is JSON, anything else YAML). */
  file?: string;
  /**
   * The environment to read `STROM_CONF_DIR` and `STROM_PROPERTIES` from. Default
   * `process.env`; pass `{}` to ignore the environment.
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Dynamic properties, applied in order: `key=value` text as given to `-D` (origin `-D`), or
   * entries with their own origin (the CLI's `--parallelism N` is `{ key: 'parallelism.default',
   * value: N, origin: '--parallelism' }`).
   */
  dynamic?: ReadonlyArray<string | ConfigEntry>;
  /** Options passed in code (origin `code`): dotted or nested keys, text or typed values. */
  code?: Readonly<Record<string, unknown>> | Configuration;
}

/**
 * Builds the effective configuration from defaults < file < `STROM_PROPERTIES` < dynamic
 * properties < code. Every value is parsed and validated as it is read.
 * @throws ConfigSourceError for a missing or malformed file, an empty `STROM_CONF_DIR`, a
 *   malformed `STROM_PROPERTIES` or a `-D` without `=`.
 * @throws ConfigurationError for an unknown key (with the nearest known key) or a bad value
 *   (with what is accepted), naming the source (`strom.yaml:3`, `STROM_PROPERTIES:1`, `-D`, `code`).
 */
export function loadConfiguration(options: LoadConfigurationOptions = {}): Configuration {
  const env = options.env ?? process.env;
  const config = new Configuration();
  const apply = (entries: Iterable<ConfigEntry>): void => {
    for (const entry of entries) config.set(entry.key, entry.value, entry.origin);
  };

  const file = options.file ?? configFileInConfDir(env);
  if (file !== undefined) apply(readConfigFile(file));

  const properties = env[PROPERTIES_ENV];
  if (properties !== undefined && properties.trim() !== '') apply(parseConfigText(properties, PROPERTIES_ENV, 'yaml'));

  apply((options.dynamic ?? []).map((d) => (typeof d === 'string' ? parseDynamicProperty(d) : d)));

  if (options.code === undefined) return config;
  const code = options.code instanceof Configuration ? options.code : Configuration.from(options.code, { origin: 'code' });
  return config.merge(code);
}

/**
 * Reads `key=value` as given to `-D` (whitespace around key and value is dropped).
 * @throws ConfigSourceError when there is no `=` or no key.
 */
export function parseDynamicProperty(text: string, origin = '-D'): ConfigEntry {
  const eq = text.indexOf('=');
  if (eq < 0 || text.slice(0, eq).trim() === '') {
    throw errors.configSource(origin, `expected key=value, got '${text}'`);
  }
  return { key: text.slice(0, eq).trim(), value: text.slice(eq + 1).trim(), origin };
}

/** The config file in `STROM_CONF_DIR`, or undefined when the variable is unset. */
function configFileInConfDir(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env[CONF_DIR_ENV];
  if (dir === undefined || dir === '') return undefined;
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw errors.configSource(`${CONF_DIR_ENV}=${dir}`, `the directory holds none of ${CONFIG_FILE_NAMES.join(', ')}`);
}
