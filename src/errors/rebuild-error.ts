/**
 * Errors across threads: a task slot (a worker thread) turns what its task threw into plain,
 * structured-cloneable data (`thrownData`), and the main thread rebuilds it (`rebuildError`)
 * into the same class, with the same fields, the worker's stack and the cause chain.
 *
 * Structured clone alone would not do: it turns every error into a plain `Error` (or a built-in
 * subclass), dropping its class and its fields. So a StromError travels as its `code` plus its
 * own fields, and `REBUILDERS`, one table from code to a rebuild function, makes the class again
 * on the main thread. A code missing from the table comes back as a StromError with that code.
 * An error that is not a StromError (a user's own error, a system error) comes back as an
 * `Error` (a `TypeError`, `RangeError`... for the built-in kinds) with its name, message, stack,
 * `code` and other own primitive properties (`errno`, `syscall`, `path`, ...). A thrown value
 * that is not an error travels as itself when it can be cloned, else as its description.
 *
 * Only primitive own fields travel (every field of strom's error classes is one); the cause
 * chain is kept to `MAX_CAUSE_DEPTH` levels, so a cyclic or very deep chain still makes a
 * bounded message.
 */
import { types } from 'node:util';
import {
  ConfigSourceError,
  ConfigurationError,
  CorruptRecordError,
  describeValue,
  InsufficientNetworkBuffersError,
  InsufficientSlotsError,
  InvalidJobError,
  JobCancelledError,
  JobExecutionError,
  ManagedMemoryExceededError,
  NativeAddonError,
  SerializationError,
  SinkError,
  SourceError,
  StromError,
  UserFunctionError,
} from '../errors.js';

/** Levels of `cause` kept below the error itself; deeper causes are dropped. */
export const MAX_CAUSE_DEPTH = 8;

/** An own field of an error that travels: primitives only. */
export type ErrorField = string | number | boolean | bigint | null | undefined;

/** An error as plain data, for the trip from a worker thread to the main thread. */
export interface ErrorData {
  kind: 'error';
  /** True for a StromError (rebuilt by `code` into its class); false for any other error. */
  strom: boolean;
  name: string;
  /** The StromError's code, or the other error's own string `code` (e.g. `ENOENT`). */
  code: string | undefined;
  message: string;
  stack: string | undefined;
  /**
   * The error's other own primitive properties: the class's fields for a StromError
   * (`bytesNeeded`, `key`, `target`, `operatorName`, ...), any own property of another error.
   */
  fields: Record<string, ErrorField>;
  /** What caused it; undefined when it has no cause or the chain is deeper than `MAX_CAUSE_DEPTH`. */
  cause: ThrownData | undefined;
}

/** A thrown value that is not an error: itself when structured-cloneable, else its description. */
export interface ValueData {
  kind: 'value';
  value: unknown;
}

/** Anything a task can throw, as plain data. */
export type ThrownData = ErrorData | ValueData;

/** Own properties carried by ErrorData's own slots, never among its `fields`. */
const RESERVED = new Set(['name', 'message', 'stack', 'cause']);

/** Whether `value` is an error of this or another realm (a vm context, a worker). */
export function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

/** `error` as plain data; its cause chain is kept `MAX_CAUSE_DEPTH - depth` levels deep. */
export function errorData(error: Error, depth = 0): ErrorData {
  const strom = error instanceof StromError;
  const ownCode = (error as { code?: unknown }).code;
  const code = typeof ownCode === 'string' ? ownCode : undefined;
  const fields: Record<string, ErrorField> = {};
  for (const key of Object.keys(error)) {
    if (RESERVED.has(key) || (key === 'code' && code !== undefined)) continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) {
      fields[key] = value as ErrorField;
    }
  }
  const cause = (error as { cause?: unknown }).cause;
  return {
    kind: 'error',
    strom,
    name: String(error.name),
    code,
    message: String(error.message),
    stack: typeof error.stack === 'string' ? error.stack : undefined,
    fields,
    cause: cause === undefined || depth >= MAX_CAUSE_DEPTH ? undefined : thrownData(cause, depth + 1),
  };
}

/** Any thrown value as plain data (see `errorData` for errors). */
export function thrownData(value: unknown, depth = 0): ThrownData {
  if (isError(value)) return errorData(value, depth);
  try {
    return { kind: 'value', value: structuredClone(value) };
  } catch {
    return { kind: 'value', value: describeValue(value) };
  }
}

/** Rebuilds one StromError class from its data; `cause` is the already rebuilt cause. */
export type Rebuild = (data: ErrorData, cause: unknown) => StromError;

const text = (data: ErrorData, key: string): string => String(data.fields[key] ?? '');
const optionalText = (data: ErrorData, key: string): string | undefined => {
  const value = data.fields[key];
  return typeof value === 'string' ? value : undefined;
};
const count = (data: ErrorData, key: string): number => Number(data.fields[key]);

/** From each StromError code to the function that rebuilds its class. */
export const REBUILDERS: ReadonlyMap<string, Rebuild> = new Map<string, Rebuild>([
  ['ERR_INVALID_CONFIG', (d) => new ConfigurationError(text(d, 'key'), d.message)],
  ['ERR_CONFIG_SOURCE', (d) => new ConfigSourceError(text(d, 'source'), d.message)],
  ['ERR_INSUFFICIENT_NETWORK_BUFFERS', (d) => new InsufficientNetworkBuffersError(d.message, count(d, 'required'), count(d, 'available'))],
  ['ERR_MANAGED_MEMORY_EXCEEDED', (d) => new ManagedMemoryExceededError(d.message, count(d, 'bytesNeeded'))],
  ['ERR_SERIALIZATION', (d) => new SerializationError(d.message)],
  ['ERR_CORRUPT_RECORD', (d) => new CorruptRecordError(d.message)],
  ['ERR_NATIVE_ADDON', (d, cause) => new NativeAddonError(d.message, cause)],
  ['ERR_USER_FUNCTION', (d, cause) => new UserFunctionError(d.message, text(d, 'operatorName'), text(d, 'functionName'), cause)],
  ['ERR_INVALID_JOB', (d) => new InvalidJobError(d.message, optionalText(d, 'operator'))],
  ['ERR_INSUFFICIENT_SLOTS', (d) => new InsufficientSlotsError(d.message, count(d, 'required'), count(d, 'available'))],
  ['ERR_SOURCE_FILE', (d, cause) => new SourceError('ERR_SOURCE_FILE', d.message, text(d, 'target'), cause)],
  ['ERR_SOURCE_SOCKET', (d, cause) => new SourceError('ERR_SOURCE_SOCKET', d.message, text(d, 'target'), cause)],
  ['ERR_SINK_FILE_EXISTS', (d, cause) => new SinkError('ERR_SINK_FILE_EXISTS', d.message, text(d, 'target'), cause)],
  ['ERR_SINK_FILE', (d, cause) => new SinkError('ERR_SINK_FILE', d.message, text(d, 'target'), cause)],
  [
    'ERR_JOB_FAILED',
    (d, cause) =>
      new JobExecutionError(d.message, {
        jobName: text(d, 'jobName'),
        task: text(d, 'task'),
        subtaskIndex: count(d, 'subtaskIndex'),
        operator: optionalText(d, 'operator'),
        failureCode: optionalText(d, 'failureCode'),
        cause,
      }),
  ],
  ['ERR_JOB_CANCELLED', (d) => new JobCancelledError(text(d, 'jobName'))],
]);

/** Built-in error classes whose kind a rebuilt plain error keeps (`instanceof TypeError`). */
const BUILT_IN: ReadonlyMap<string, ErrorConstructor> = new Map<string, ErrorConstructor>([
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
]);

/** Sets an own property the way Error's constructor does: writable, configurable, not enumerable. */
function defineHidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * The error `data` describes: a StromError of its code's class (a StromError with that code and
 * name when the code is not in `REBUILDERS`), or an Error with the original name and own
 * properties. Its stack is the original one (the worker's), its cause the rebuilt cause.
 */
export function rebuildError(data: ErrorData): Error {
  const cause = data.cause === undefined ? undefined : rebuildThrown(data.cause);
  let error: Error;
  if (data.strom && data.code !== undefined) {
    const rebuild = REBUILDERS.get(data.code);
    error = rebuild ? rebuild(data, cause) : new StromError(data.code, data.message, data.cause === undefined ? undefined : { cause });
    if (!rebuild) error.name = data.name;
  } else {
    error = new (BUILT_IN.get(data.name) ?? Error)(data.message);
    if (error.name !== data.name) defineHidden(error, 'name', data.name);
    if (data.code !== undefined) (error as { code?: string }).code = data.code;
  }
  // Fields the class's constructor does not set (own properties of a user's error, extra
  // properties of a StromError) are copied as they were.
  for (const [key, value] of Object.entries(data.fields)) {
    if (!Object.hasOwn(error, key)) (error as unknown as Record<string, unknown>)[key] = value;
  }
  if (data.cause !== undefined && !Object.hasOwn(error, 'cause')) defineHidden(error, 'cause', cause);
  if (data.stack !== undefined) defineHidden(error, 'stack', data.stack);
  return error;
}

/** The value `data` describes: a rebuilt error (`rebuildError`) or the thrown value itself. */
export function rebuildThrown(data: ThrownData): unknown {
  return data.kind === 'error' ? rebuildError(data) : data.value;
}
