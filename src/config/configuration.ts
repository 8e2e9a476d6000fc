/**
 * `Configuration`: the values of strom's Flink-keyed options.
 *
 * Values are validated when they are set, so a bad value fails where it was written, naming the
 * key, the value and what is accepted. `get` returns the typed value or the option's default.
 *
 * Designed for layering: each source (defaults < config file < environment < command line <
 * code) builds its own `Configuration` with an `origin` label used in error messages and kept per
 * value (`origin()`), and `merge` stacks them (see `config-loader.ts`). Nested objects (as a
 * YAML config file yields) are flattened to dotted
 * keys by `from`.
 *
 * Depends on: config-option(s), nearest-key, ../errors.
 */

import { errors } from '../errors.js';
import type { ConfigOption } from './config-option.js';
import { ALL_CONFIG_OPTIONS, findConfigOption } from './config-options.js';
import { nearestKey } from './nearest-key.js';

/** Options for {@link Configuration.from}. */
export interface ConfigurationSourceOptions {
  /** Where the values come from, e.g. `strom.yaml` or `environment`; named in error messages. */
  origin?: string;
}

export class Configuration {
  /** Explicitly set values, parsed and validated, by key. */
  readonly #values = new Map<string, unknown>();
  /** The declaration each set key was parsed with (formats values in `toObject`). */
  readonly #options = new Map<string, ConfigOption<unknown>>();
  /** Where each set value came from (`strom.yaml:3`, `-D`, ...), when the setter said so. */
  readonly #origins = new Map<string, string>();

  /**
   * Builds a configuration from a plain object of key -> value. Keys may be dotted
   * (`{'taskmanager.memory.segment-size': '32kb'}`) or nested
   * (`{taskmanager: {memory: {'segment-size': '32kb'}}}`). Values may be text or typed.
   * @throws ConfigurationError on the first unknown key or invalid value.
   */
  static from(object: Readonly<Record<string, unknown>>, options: ConfigurationSourceOptions = {}): Configuration {
    const config = new Configuration();
    for (const [key, value] of flatten(object, '')) config.set(key, value, options.origin);
    return config;
  }

  /**
   * Sets an option, by key or by declaration. Text is parsed with the option's format
   * (`'64 mb'`, `'100ms'`, `'true'`); typed values (numbers in bytes or milliseconds, booleans)
   * are taken as they are. The value is validated now.
   * @param origin where the value comes from, named in error messages.
   * @throws ConfigurationError for an unknown key (suggesting the nearest known key) or an
   *   invalid value (naming key, value and what is accepted).
   */
  set<T>(option: ConfigOption<T>, value: T | string, origin?: string): this;
  set(key: string, value: unknown, origin?: string): this;
  set(keyOrOption: string | ConfigOption<unknown>, value: unknown, origin?: string): this {
    const option = typeof keyOrOption === 'string' ? lookup(keyOrOption, origin) : keyOrOption;
    this.#values.set(option.key, parseAndValidate(option, value, origin));
    this.#options.set(option.key, option as ConfigOption<unknown>);
    if (origin === undefined) this.#origins.delete(option.key);
    else this.#origins.set(option.key, origin);
    return this;
  }

  /**
   * Where the value of `option` came from: the origin given when it was set (a file path and
   * line, `STROM_PROPERTIES`, `-D`, ...), `code` when it was set without one, `default` when it
   * was not set.
   */
  origin(option: ConfigOption<unknown> | string): string {
    const key = typeof option === 'string' ? option : option.key;
    if (!this.#values.has(key)) return 'default';
    return this.#origins.get(key) ?? 'code';
  }

  /** The value set for `option`, else its default. */
  get<T>(option: ConfigOption<T>): T {
    return this.#values.has(option.key) ? (this.#values.get(option.key) as T) : option.defaultValue;
  }

  /** The value set for `option`, or undefined when it was not set (defaults ignored). */
  getOptional<T>(option: ConfigOption<T>): T | undefined {
    return this.#values.get(option.key) as T | undefined;
  }

  /** True when `option` was set explicitly (a default does not count). */
  contains(option: ConfigOption<unknown>): boolean {
    return this.#values.has(option.key);
  }

  /** Removes an explicitly set value; `get` returns the default again. Returns whether it was set. */
  unset(option: ConfigOption<unknown>): boolean {
    this.#options.delete(option.key);
    this.#origins.delete(option.key);
    return this.#values.delete(option.key);
  }

  /** The explicitly set keys. */
  keys(): IterableIterator<string> {
    return this.#values.keys();
  }

  /**
   * A new configuration with this one's values overlaid by `other`'s: values set in `other`
   * win. Neither input changes.
   */
  merge(other: Configuration): Configuration {
    const merged = new Configuration();
    for (const source of [this, other]) {
      for (const [k, v] of source.#values) merged.#values.set(k, v);
      for (const [k, o] of source.#options) merged.#options.set(k, o);
      for (const k of source.#values.keys()) {
        const origin = source.#origins.get(k);
        if (origin === undefined) merged.#origins.delete(k);
        else merged.#origins.set(k, origin);
      }
    }
    return merged;
  }

  /** A copy that can be changed independently. */
  clone(): Configuration {
    return new Configuration().merge(this);
  }

  /** Explicitly set values as text (e.g. `{'taskmanager.memory.segment-size': '32kb'}`), for logs and files. */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.#values) out[k] = this.#options.get(k)!.format(v);
    return out;
  }
}

function lookup(key: string, origin: string | undefined): ConfigOption<unknown> {
  const option = findConfigOption(key);
  if (option) return option;
  throw errors.unknownConfigKey(key, nearestKey(key, ALL_CONFIG_OPTIONS.map((o) => o.key)), origin);
}

function parseAndValidate<T>(option: ConfigOption<T>, raw: unknown, origin: string | undefined): T {
  const where = origin ? ` (from ${origin})` : '';
  let value: T;
  try {
    value = option.parse(raw);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw errors.invalidConfig(option.key, raw, `${option.accepted} (${detail})${where}`);
  }
  if (!option.isValid(value)) {
    throw errors.invalidConfig(option.key, raw, `${option.accepted}${where}`);
  }
  return value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function* flatten(object: Readonly<Record<string, unknown>>, prefix: string): Generator<[string, unknown]> {
  for (const [k, v] of Object.entries(object)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v)) yield* flatten(v, key);
    else yield [key, v];
  }
}
