/**
 * The configuration options strom understands, keyed exactly as in Flink.
 *
 * Each declaration documents meaning, unit and default, and where strom deviates from Flink.
 * Constraints between options (network min <= max, max-buffers-per-channel >=
 * buffers-per-channel) cannot be checked when one key is set, so `resolveNetworkMemory` checks
 * them when the values are used.
 *
 * To add an option: declare it here and append it to {@link ALL_CONFIG_OPTIONS}.
 */

import { booleanOption, durationOption, enumOption, integerOption, memoryOption, numberOption, type ConfigOption } from './config-option.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Smallest segment strom accepts (Flink's minimum page is 4 KiB; strom allows less for tests). */
export const MIN_SEGMENT_SIZE = 64;
/** Largest segment strom accepts: 16 MiB keeps offsets comfortably in int32 arithmetic. */
export const MAX_SEGMENT_SIZE = 16 * MiB;
/** Flink's upper bound for (max) parallelism, `Transformation.UPPER_BOUND_MAX_PARALLELISM`. */
export const UPPER_BOUND_MAX_PARALLELISM = 32768;

const isPowerOfTwo = (n: number): boolean => Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0 && n <= 2 ** 30;

/** `parallelism.default`: parallelism of operators that do not set their own. Default 1, as in Flink. */
export const DEFAULT_PARALLELISM: ConfigOption<number> = integerOption({
  key: 'parallelism.default',
  defaultValue: 1,
  description: 'Parallelism of operators that do not set their own. Default 1.',
  accepted: 'expected an integer from 1 to 32768',
  validate: (v) => v >= 1 && v <= UPPER_BOUND_MAX_PARALLELISM,
});

/**
 * `taskmanager.numberOfTaskSlots`: task slots of the TaskManager, i.e. worker threads of its
 * pool. No default: strom starts a local TaskManager for each job and, when this key is not set,
 * gives it the slots the job needs (as Flink's per-job MiniCluster does; Flink's cluster default
 * is 1). A value that is set is a limit: a job needing more slots fails before it starts.
 */
export const NUMBER_OF_TASK_SLOTS: ConfigOption<number | undefined> = integerOption<number | undefined>({
  key: 'taskmanager.numberOfTaskSlots',
  defaultValue: undefined,
  documentedDefault: 'sized to the job',
  description:
    'Task slots (worker threads) of the TaskManager. Not set: the local TaskManager started for a job gets the slots ' +
    "the job needs (Flink's MiniCluster does the same; Flink's cluster default is 1). Set: a job needing more fails before it starts.",
  accepted: 'expected an integer from 1 to 1024',
  validate: (v) => v === undefined || (v >= 1 && v <= 1024),
});

/** `execution.runtime-mode`: STREAMING (default) or BATCH, case-insensitive. */
export const RUNTIME_MODE: ConfigOption<'STREAMING' | 'BATCH'> = enumOption<'STREAMING' | 'BATCH'>(
  {
    key: 'execution.runtime-mode',
    defaultValue: 'STREAMING',
    description:
      'STREAMING: rolling aggregations emit an update for every record. BATCH: only final results, at end of input. Default STREAMING.',
    accepted: "expected 'STREAMING' or 'BATCH'",
  },
  ['STREAMING', 'BATCH'],
);

/** `pipeline.operator-chaining`: chain operators into tasks where Flink's rules allow. Default true. */
export const OPERATOR_CHAINING: ConfigOption<boolean> = booleanOption({
  key: 'pipeline.operator-chaining',
  defaultValue: true,
  description: 'Chain operators into one task (one thread, no serialization between them) where allowed. Default true.',
  accepted: 'expected true or false',
});

/**
 * `restart-strategy.type`: reserved. Flink restarts failed jobs (fixed-delay, failure-rate,
 * exponential-delay); strom does not restart yet, so only `none` is accepted, and a job fails on
 * its first error. Declared now so configurations written for Flink get a clear answer.
 */
export const RESTART_STRATEGY: ConfigOption<'none'> = enumOption<'none'>(
  {
    key: 'restart-strategy.type',
    defaultValue: 'none',
    description:
      "Reserved: strom does not restart failed jobs yet, so only 'none' is accepted (Flink also offers fixed-delay, failure-rate and exponential-delay).",
    accepted: "expected 'none' (restart strategies are not implemented yet)",
  },
  ['none'],
);

/**
 * `state.backend.type`: where keyed state lives (src/state/keyed-state-backends.ts). `hashmap`:
 * every state as JS values on the heap (Flink's HashMapStateBackend). `native`: every state
 * serialized in the addon's managed memory (`taskmanager.memory.managed.size`), like Flink's
 * off-heap backends; a state with an undeclared (GENERIC) type is refused with an error naming
 * it, so nothing escapes the memory budget unnoticed. `auto` (strom's default, where Flink's is
 * `hashmap`): native for each state whose types are all declared, the heap for the rest, since
 * declared types are what the native backend stores compactly and faster.
 */
export const STATE_BACKEND_TYPE: ConfigOption<'auto' | 'hashmap' | 'native'> = enumOption<'auto' | 'hashmap' | 'native'>(
  {
    key: 'state.backend.type',
    defaultValue: 'auto',
    description:
      "Where keyed state lives. 'hashmap': JS values on the heap, any type (Flink's HashMapStateBackend). 'native': serialized in the addon's managed memory (taskmanager.memory.managed.size); a state with an undeclared (GENERIC) type fails with an error naming it. " +
      "'auto' (default; Flink's default is 'hashmap'): native for each state whose types are all declared, the heap for the others.",
    accepted: "expected 'auto', 'hashmap' or 'native'",
  },
  ['auto', 'hashmap', 'native'],
);

/**
 * `taskmanager.memory.segment-size`: size of one memory segment (network buffer), in bytes.
 * Default `32kb`. Must be a power of two between 64 bytes and 16 MiB. Flink requires at least
 * 4 KiB; strom accepts down to 64 bytes so tests can force records to span segments.
 */
export const MEMORY_SEGMENT_SIZE: ConfigOption<number> = memoryOption({
  key: 'taskmanager.memory.segment-size',
  defaultValue: 32 * KiB,
  description:
    'Size of one memory segment (network buffer) in bytes. Default 32kb. A power of two from 64b to 16mb ' +
    '(Flink requires at least 4kb; strom allows smaller segments for tests).',
  accepted: 'expected a power of two between 64b and 16mb, e.g. 32kb',
  validate: (v) => isPowerOfTwo(v) && v >= MIN_SEGMENT_SIZE && v <= MAX_SEGMENT_SIZE,
});

/**
 * `taskmanager.memory.network.min`: lower bound of the network memory, in bytes. Default `64mb`
 * (Flink's default). Without `taskmanager.memory.process.size` network memory has one fixed size
 * (Flink's local execution): network.min, or network.max when only that is set; both set must be
 * equal. See `resolveNetworkMemory`.
 */
export const NETWORK_MEMORY_MIN: ConfigOption<number> = memoryOption({
  key: 'taskmanager.memory.network.min',
  defaultValue: 64 * MiB,
  description:
    'Minimum network memory (all network buffers of the task manager) in bytes. Default 64mb. ' +
    'Without taskmanager.memory.process.size the network memory has this one fixed size (as in Flink\'s local execution): ' +
    'if only one of network.min / network.max is set, the other takes its value; if both are set they must be equal. ' +
    'strom allocates at most 2gb minus bookkeeping (2046mb of 32kb segments).',
  accepted: 'expected a memory size such as 64mb',
});

/**
 * `taskmanager.memory.network.max`: upper bound of the network memory, in bytes. No default:
 * unbounded when `taskmanager.memory.process.size` is set (Flink 2's default), otherwise it
 * follows network.min. See `resolveNetworkMemory`.
 */
export const NETWORK_MEMORY_MAX: ConfigOption<number | undefined> = memoryOption<number | undefined>({
  key: 'taskmanager.memory.network.max',
  defaultValue: undefined,
  documentedDefault: "network.min; unbounded with process.size",
  description:
    'Maximum network memory in bytes. Without taskmanager.memory.process.size it sets the one fixed size when ' +
    'network.min is not set (and must equal network.min when both are); with process.size it caps ' +
    'network.fraction x process.size (default unbounded, as in Flink 2).',
  accepted: 'expected a memory size such as 128mb',
  validate: (v) => v === undefined || v > 0,
});

/**
 * `taskmanager.memory.network.fraction`: share of `taskmanager.memory.process.size` used for
 * network memory, clamped to [network.min, network.max]. Default 0.1. Only used when
 * process.size is set. Must be in (0, 1).
 */
export const NETWORK_MEMORY_FRACTION: ConfigOption<number> = numberOption({
  key: 'taskmanager.memory.network.fraction',
  defaultValue: 0.1,
  description:
    'Fraction of taskmanager.memory.process.size used for network memory, clamped to network.min..network.max. ' +
    'Default 0.1. Only applies when taskmanager.memory.process.size is set (Flink also ignores it in local execution).',
  accepted: 'expected a number greater than 0 and less than 1',
  validate: (v) => v > 0 && v < 1,
});

/**
 * `taskmanager.memory.process.size`: total memory budget of the strom process, in bytes.
 * Optional (no default). strom uses it only to size network memory (fraction x process.size);
 * Flink subtracts JVM overhead and metaspace first, strom has none to subtract.
 */
export const TOTAL_PROCESS_MEMORY: ConfigOption<number | undefined> = memoryOption<number | undefined>({
  key: 'taskmanager.memory.process.size',
  defaultValue: undefined,
  description:
    'Total process memory budget in bytes. No default. When set, network memory is ' +
    'taskmanager.memory.network.fraction of it, clamped to network.min..network.max.',
  accepted: 'expected a positive memory size such as 1g',
  validate: (v) => v === undefined || v > 0,
});

/**
 * `taskmanager.memory.managed.size`: memory for keyed state (native state tables and their
 * arenas) of all tasks of the TaskManager, in bytes. Default 256mb. Flink derives managed memory
 * as 0.4 of Flink memory; strom has no total memory model yet, so it takes a fixed local budget.
 * State that would exceed it fails its task with an error naming this key.
 */
export const MANAGED_MEMORY_SIZE: ConfigOption<number> = memoryOption<number>({
  key: 'taskmanager.memory.managed.size',
  defaultValue: 256 * 1024 * 1024,
  description:
    'Memory for keyed state of all tasks (native state tables), in bytes. Default 256mb. ' +
    'A task whose state would exceed it fails with an error naming this key.',
  accepted: 'expected a positive memory size such as 256mb',
  validate: (v) => v > 0,
});

/** Smallest task heap strom accepts: a worker needs some heap to load the job module and its operators. */
const MIN_TASK_HEAP_SIZE = 16 * MiB;

/**
 * `taskmanager.memory.task.heap.size`: JavaScript heap of each task-slot worker thread, in bytes
 * (V8's old generation: `resourceLimits.maxOldGenerationSizeMb` of the worker). A worker that
 * exceeds it is stopped and its job fails with an error naming this key; the process lives on.
 * No fixed default: half the machine's memory (`os.totalmem()`) divided among the job's task
 * slots, between 256mb and 2gb (see `resolveTaskHeapSize`). Flink's key sizes the JVM heap that
 * all slots of a TaskManager share; strom gives each slot's thread its own heap of this size.
 * `resourceLimits` passed to `execute()` win over it.
 */
export const TASK_HEAP_SIZE: ConfigOption<number | undefined> = memoryOption<number | undefined>({
  key: 'taskmanager.memory.task.heap.size',
  defaultValue: undefined,
  documentedDefault: 'half the machine memory / slots, 256mb..2gb',
  description:
    'JavaScript heap of each task-slot worker thread (V8 old generation, the worker\'s resourceLimits.maxOldGenerationSizeMb), ' +
    'in whole megabytes. A worker exceeding it fails its job with an error naming this key; the process lives on. ' +
    'Default: half of the machine\'s memory divided among the job\'s task slots, at least 256mb and at most 2gb. ' +
    '(Flink: the JVM heap for tasks, shared by all slots.) resourceLimits passed to execute() win. ' +
    'Near V8\'s own ceiling (4gb) a worker out of heap may abort the whole process instead of failing its job; stay at 3gb or below.',
  accepted: 'expected a memory size of at least 16mb, such as 512mb',
  validate: (v) => v === undefined || v >= MIN_TASK_HEAP_SIZE,
});

/**
 * `taskmanager.network.memory.buffers-per-channel`: buffers guaranteed to each subpartition
 * (output channel) of a producer's pool. Default 2. strom requires at least 1: its local channels
 * hand the producer's buffers to the consumer directly (no credit-based exclusive buffers), so 0
 * would leave a subpartition with no guaranteed buffer. Flink allows 0.
 */
export const NETWORK_BUFFERS_PER_CHANNEL: ConfigOption<number> = integerOption({
  key: 'taskmanager.network.memory.buffers-per-channel',
  defaultValue: 2,
  description:
    'Buffers guaranteed to each output channel (subpartition). Default 2. At least 1 (Flink allows 0; ' +
    "strom's local channels have no separate exclusive buffers).",
  accepted: 'expected an integer from 1 to 2147483647',
  validate: (v) => v >= 1 && v <= 0x7fffffff,
});

/**
 * `taskmanager.network.memory.floating-buffers-per-gate`: extra buffers a pool may borrow beyond
 * its guaranteed ones, shared by all its channels. Default 8. At least 0. (Flink:
 * `NETWORK_EXTRA_BUFFERS_PER_GATE`.)
 */
export const NETWORK_FLOATING_BUFFERS_PER_GATE: ConfigOption<number> = integerOption({
  key: 'taskmanager.network.memory.floating-buffers-per-gate',
  defaultValue: 8,
  description: 'Floating buffers shared by all channels of a pool, beyond the guaranteed ones. Default 8. At least 0.',
  accepted: 'expected an integer from 0 to 2147483647',
  validate: (v) => v >= 0 && v <= 0x7fffffff,
});

/**
 * `taskmanager.network.memory.max-buffers-per-channel`: most buffers one subpartition may hold,
 * so one slow consumer cannot take the whole pool. Default 10. At least 1, and at least
 * buffers-per-channel (checked by `resolveNetworkMemory`).
 */
export const NETWORK_MAX_BUFFERS_PER_CHANNEL: ConfigOption<number> = integerOption({
  key: 'taskmanager.network.memory.max-buffers-per-channel',
  defaultValue: 10,
  description:
    'Most buffers one output channel may hold, so one slow consumer cannot starve the others. Default 10. ' +
    'At least taskmanager.network.memory.buffers-per-channel.',
  accepted: 'expected an integer from 1 to 2147483647',
  validate: (v) => v >= 1 && v <= 0x7fffffff,
});

/**
 * `execution.buffer-timeout`: how often partly filled buffers are flushed to consumers, in
 * milliseconds. Default `100ms`. `0` flushes after every record; `-1` flushes only when a buffer
 * is full (or an event follows). Other negative values are invalid.
 */
export const BUFFER_TIMEOUT: ConfigOption<number> = durationOption({
  key: 'execution.buffer-timeout',
  defaultValue: 100,
  description:
    'Interval at which partly filled buffers are flushed, in milliseconds. Default 100ms. ' +
    '0 = flush after every record; -1 = flush only when a buffer is full.',
  accepted: "expected a duration >= 0 such as '100ms', 0 (flush after every record) or -1 (flush only when full)",
  validate: (v) => v >= 0 || v === -1,
});

/**
 * `pipeline.auto-watermark-interval`: how often watermark generators emit periodic watermarks
 * (WatermarkGenerator.onPeriodicEmit), in milliseconds of processing time, Flink's key and
 * default `200ms`. `0` turns periodic emission off: only punctuated watermarks (emitted in
 * `onEvent`) and the end of input's final watermark remain, and idleness is never detected.
 */
export const AUTO_WATERMARK_INTERVAL: ConfigOption<number> = durationOption({
  key: 'pipeline.auto-watermark-interval',
  defaultValue: 200,
  description:
    'Interval of periodic watermark emission (WatermarkGenerator.onPeriodicEmit), in milliseconds of processing time. ' +
    'Default 200ms. 0 turns periodic emission off (punctuated watermarks and the final watermark at the end of input remain).',
  accepted: "expected a duration >= 0 such as '200ms', or 0 to turn periodic watermarks off",
  validate: (v) => v >= 0,
});

/**
 * `pipeline.max-parallelism`: number of key groups, the upper limit for rescaling keyed state.
 * Default -1: derive per operator as `min(max(roundUpToPowerOfTwo(p + p/2), 128), 32768)`.
 * Otherwise 1..32768 and at least the operator's parallelism.
 */
export const MAX_PARALLELISM: ConfigOption<number> = integerOption({
  key: 'pipeline.max-parallelism',
  defaultValue: -1,
  description:
    'Number of key groups (upper limit for rescaling keyed state). Default -1 = derived from the parallelism ' +
    '(128 for parallelism <= 85). Otherwise 1..32768.',
  accepted: 'expected -1 (derive from the parallelism) or an integer from 1 to 32768',
  validate: (v) => v === -1 || (v >= 1 && v <= UPPER_BOUND_MAX_PARALLELISM),
});

/**
 * `fs.overwrite-files`: whether file output writers (`writeAsText`) overwrite existing files by
 * default, Flink's key. Default false (`NO_OVERWRITE`): output that already exists fails the job
 * before it starts. `writeAsText(path, 'OVERWRITE' | 'NO_OVERWRITE')` decides per sink. Where
 * strom differs: the old file or directory is replaced only when the job succeeded (Flink
 * deletes it when the sink opens), so a failed job leaves the earlier output intact.
 */
export const FS_OVERWRITE_FILES: ConfigOption<boolean> = booleanOption({
  key: 'fs.overwrite-files',
  defaultValue: false,
  description:
    'Whether file output writers (writeAsText) overwrite existing files by default. Default false: existing output fails ' +
    "the job before it starts. writeAsText(path, 'OVERWRITE') decides per sink. The old output is replaced only when the " +
    'job succeeds (Flink deletes it when the sink opens).',
  accepted: 'expected true or false',
});

/** Every option strom knows, for key lookup, suggestions and generated docs. */
export const ALL_CONFIG_OPTIONS: ReadonlyArray<ConfigOption<unknown>> = Object.freeze([
  MEMORY_SEGMENT_SIZE,
  NETWORK_MEMORY_MIN,
  NETWORK_MEMORY_MAX,
  NETWORK_MEMORY_FRACTION,
  TOTAL_PROCESS_MEMORY,
  MANAGED_MEMORY_SIZE,
  TASK_HEAP_SIZE,
  NETWORK_BUFFERS_PER_CHANNEL,
  NETWORK_FLOATING_BUFFERS_PER_GATE,
  NETWORK_MAX_BUFFERS_PER_CHANNEL,
  BUFFER_TIMEOUT,
  AUTO_WATERMARK_INTERVAL,
  MAX_PARALLELISM,
  DEFAULT_PARALLELISM,
  NUMBER_OF_TASK_SLOTS,
  RUNTIME_MODE,
  OPERATOR_CHAINING,
  RESTART_STRATEGY,
  FS_OVERWRITE_FILES,
  STATE_BACKEND_TYPE,
] as ConfigOption<unknown>[]);

const OPTIONS_BY_KEY: ReadonlyMap<string, ConfigOption<unknown>> = new Map(ALL_CONFIG_OPTIONS.map((o) => [o.key, o]));

/** The option declared for `key`, or undefined. Keys are case-sensitive, as in Flink. */
export function findConfigOption(key: string): ConfigOption<unknown> | undefined {
  return OPTIONS_BY_KEY.get(key);
}
