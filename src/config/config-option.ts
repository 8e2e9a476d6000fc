/**
 * Typed declarations of configuration options, after Flink's `ConfigOption`.
 *
 * An option knows its key, its value type, its default, how to read a value from text (config
 * files, environment variables and command lines all deliver strings) or from a typed JS value
 * (programmatic configuration), and which values it accepts. `Configuration` holds the values;
 * options hold no state.
 *
 * Depends on: memory-size, duration (nothing outside src/config).
 */

import { parseDuration, formatDuration } from './duration.js';
import { parseMemorySize, formatMemorySize } from './memory-size.js';

/** The value types an option may have. `memory` is bytes, `duration` is milliseconds. */
export type ConfigOptionType = 'memory' | 'duration' | 'integer' | 'number' | 'boolean' | 'string';

/** A typed configuration option. Instances are immutable; declare them in `config-options.ts`. */
export interface ConfigOption<T> {
  /** The Flink-style dotted key, e.g. `taskmanager.memory.segment-size`. */
  readonly key: string;
  /** How values are read: memory sizes become bytes, durations milliseconds. */
  readonly type: ConfigOptionType;
  /** The value `Configuration.get` returns when the key was not set; `undefined` for optional options. */
  readonly defaultValue: T;
  /** What the option means, its unit and default, for docs and `--help`. */
  readonly description: string;
  /** What a valid value looks like, phrased to follow "expected ..." in error messages. */
  readonly accepted: string;
  /**
   * The default as documented, when `defaultValue` depends on the machine (e.g. the number of
   * CPUs); generated docs use it so they are the same everywhere.
   */
  readonly documentedDefault?: string;
  /** The accepted values of an enum option, in their canonical spelling; undefined otherwise. */
  readonly values?: readonly string[];
  /**
   * Reads a raw value (text or a typed JS value) into the option's type.
   * @throws TypeError or RangeError describing the problem; `Configuration` wraps it.
   */
  parse(raw: unknown): T;
  /** True when an already parsed value is acceptable. */
  isValid(value: T): boolean;
  /** Formats a parsed value as text that `parse` reads back (for docs and error messages). */
  format(value: T): string;
}

/** The fields a declaration provides; `parse` and `format` come from the type. */
export interface ConfigOptionSpec<T> {
  key: string;
  defaultValue: T;
  description: string;
  accepted: string;
  /** See {@link ConfigOption.documentedDefault}. */
  documentedDefault?: string;
  validate?: (value: T) => boolean;
}

function parseInteger(raw: unknown): number {
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw)) throw new RangeError(`expected an integer, got ${raw}`);
    return raw;
  }
  if (typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw)) {
    const n = Number(raw.trim());
    if (!Number.isSafeInteger(n)) throw new RangeError(`integer '${raw}' is too large`);
    return n;
  }
  throw new TypeError('expected an integer');
}

function parseNumber(raw: unknown): number {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new RangeError(`expected a finite number, got ${raw}`);
    return raw;
  }
  if (typeof raw === 'string' && raw.trim().length > 0) {
    const n = Number(raw.trim());
    if (Number.isFinite(n)) return n;
  }
  throw new TypeError('expected a number');
}

function parseBoolean(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const t = raw.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  throw new TypeError("expected true or false");
}

function parseString(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  throw new TypeError('expected a string');
}

function parseMemory(raw: unknown): number {
  if (typeof raw === 'string' || typeof raw === 'number') return parseMemorySize(raw);
  throw new TypeError("expected a memory size such as '32kb' or a number of bytes");
}

function parseDurationValue(raw: unknown): number {
  if (typeof raw === 'string' || typeof raw === 'number') return parseDuration(raw);
  throw new TypeError("expected a duration such as '100ms' or a number of milliseconds");
}

function define<T>(
  type: ConfigOptionType,
  spec: ConfigOptionSpec<T>,
  parseValue: (raw: unknown) => NonNullable<T>,
  formatValue: (value: NonNullable<T>) => string,
  values?: readonly string[],
): ConfigOption<T> {
  const validate = spec.validate ?? (() => true);
  return Object.freeze({
    key: spec.key,
    type,
    defaultValue: spec.defaultValue,
    description: spec.description,
    accepted: spec.accepted,
    ...(spec.documentedDefault !== undefined ? { documentedDefault: spec.documentedDefault } : {}),
    ...(values ? { values: Object.freeze([...values]) } : {}),
    parse: (raw: unknown): T => parseValue(raw),
    isValid: (value: T): boolean => validate(value),
    format: (value: T): string => (value == null ? String(value) : formatValue(value as NonNullable<T>)),
  });
}

/** Declares a memory-size option (value in bytes; text like `32kb`). */
export function memoryOption<T extends number | undefined>(spec: ConfigOptionSpec<T>): ConfigOption<T> {
  return define<T>('memory', spec, parseMemory as (raw: unknown) => NonNullable<T>, (v) => formatMemorySize(v));
}

/** Declares a duration option (value in milliseconds; text like `100ms`). */
export function durationOption<T extends number | undefined>(spec: ConfigOptionSpec<T>): ConfigOption<T> {
  return define<T>('duration', spec, parseDurationValue as (raw: unknown) => NonNullable<T>, (v) => formatDuration(v));
}

/** Declares an integer option. */
export function integerOption<T extends number | undefined>(spec: ConfigOptionSpec<T>): ConfigOption<T> {
  return define<T>('integer', spec, parseInteger as (raw: unknown) => NonNullable<T>, (v) => String(v));
}

/** Declares a floating-point option. */
export function numberOption<T extends number | undefined>(spec: ConfigOptionSpec<T>): ConfigOption<T> {
  return define<T>('number', spec, parseNumber as (raw: unknown) => NonNullable<T>, (v) => String(v));
}

/** Declares a boolean option (text `true`/`false`, case-insensitive). */
export function booleanOption<T extends boolean | undefined>(spec: ConfigOptionSpec<T>): ConfigOption<T> {
  return define<T>('boolean', spec, parseBoolean as (raw: unknown) => NonNullable<T>, (v) => String(v));
}

/**
 * Declares an enum option: text matched case-insensitively against `values` (as Flink does),
 * stored in the spelling of `values`.
 */
export function enumOption<T extends string>(spec: ConfigOptionSpec<T>, values: readonly T[]): ConfigOption<T> {
  const parse = (raw: unknown): T => {
    const text = String(raw).trim().toUpperCase();
    const match = values.find((v) => v.toUpperCase() === text);
    // An unknown value fails validation below with the option's `accepted` text.
    return (match ?? String(raw)) as T;
  };
  return define<T>('string', { ...spec, validate: (v) => values.includes(v) && (spec.validate?.(v) ?? true) }, parse as (raw: unknown) => NonNullable<T>, (v) => v, values);
}

/** Declares a string option. */
export function stringOption<T extends string | undefined>(spec: ConfigOptionSpec<T>): ConfigOption<T> {
  return define<T>('string', spec, parseString as (raw: unknown) => NonNullable<T>, (v) => v);
}
