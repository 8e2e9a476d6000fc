/**
 * strom's error classes and the factories that build them.
 *
 * Every error strom throws on purpose comes from a factory here, so each throw gets a fresh
 * stack and a stable `code` that callers can match on. Errors raised inside worker threads are
 * rebuilt into these same classes on the main thread (`rebuildError` in errors/rebuild-error.ts).
 */

/** Base class of every error strom raises on purpose. `code` is stable across releases. */
export class StromError extends Error {
  /** Stable machine-readable code, e.g. `ERR_INSUFFICIENT_NETWORK_BUFFERS`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration value is missing, malformed or out of range. */
export class ConfigurationError extends StromError {
  /** The configuration key at fault, e.g. `taskmanager.memory.segment-size`. */
  readonly key: string;
  constructor(key: string, message: string) {
    super('ERR_INVALID_CONFIG', message);
    this.key = key;
  }
}

/**
 * A configuration source cannot be read: a missing or malformed config file, a malformed
 * `STROM_PROPERTIES` line, a `-D` without `=`. Bad keys and values inside a readable source are
 * `ConfigurationError`s.
 */
export class ConfigSourceError extends StromError {
  /** The source at fault: a file path, `STROM_PROPERTIES`, `STROM_CONF_DIR` or `-D`. */
  readonly source: string;
  constructor(source: string, message: string) {
    super('ERR_CONFIG_SOURCE', message);
    this.source = source;
  }
}

/** The network buffer pool cannot satisfy the minimum segments a local pool requires. */
export class InsufficientNetworkBuffersError extends StromError {
  /** Segments the new local pool(s) require at minimum. */
  readonly required: number;
  /** Segments still available for new pools. */
  readonly available: number;
  constructor(message: string, required: number, available: number) {
    super('ERR_INSUFFICIENT_NETWORK_BUFFERS', message);
    this.required = required;
    this.available = available;
  }
}

/** Keyed state would need more managed memory than `taskmanager.memory.managed.size` allows. */
export class ManagedMemoryExceededError extends StromError {
  /** Bytes the refused reservation asked for. */
  readonly bytesNeeded: number;
  constructor(message: string, bytesNeeded: number) {
    super('ERR_MANAGED_MEMORY_EXCEEDED', message);
    this.bytesNeeded = bytesNeeded;
  }
}

/** A value could not be encoded with its declared type. */
export class SerializationError extends StromError {
  constructor(message: string) {
    super('ERR_SERIALIZATION', message);
  }
}

/** Bytes read from a channel or a file do not form a valid record. */
export class CorruptRecordError extends StromError {
  constructor(message: string) {
    super('ERR_CORRUPT_RECORD', message);
  }
}

/** The native addon is missing or was built for another Node-API version. */
export class NativeAddonError extends StromError {
  constructor(message: string, cause?: unknown) {
    super('ERR_NATIVE_ADDON', message, { cause });
  }
}

/**
 * A user function (a key selector, a reduce function, ...) threw. `cause` is what it threw,
 * unchanged; the message names the operator and the function.
 */
export class UserFunctionError extends StromError {
  /** Name of the operator whose user function failed. */
  readonly operatorName: string;
  /** Name of the failed function: its JS name, or its role (e.g. `reduce`) when anonymous. */
  readonly functionName: string;
  constructor(message: string, operatorName: string, functionName: string, cause: unknown) {
    super('ERR_USER_FUNCTION', message, { cause });
    this.operatorName = operatorName;
    this.functionName = functionName;
  }
}

/** Describes a value briefly for error messages, without dumping huge objects. */
/** The `code` property of a thrown value (a system error's `ENOENT`, a StromError's code), if any. */
export function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** A thrown value's message: an Error's `message`, anything else as a string. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True for the codes of strom's cancel errors (the job's cancel seen by a task or a channel). */
export function isCancelCode(code: unknown): boolean {
  return code === 'ERR_CANCELLED' || code === 'ERR_CHANNEL_CANCELLED';
}

export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'bigint') text = `${value}n`;
  else if (typeof value === 'number' || typeof value === 'boolean' || value == null) text = String(value);
  else {
    try {
      text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export const errors = {
  invalidConfig(key: string, value: unknown, accepted: string): ConfigurationError {
    return new ConfigurationError(
      key,
      `Invalid value ${describeValue(value)} for configuration key '${key}': ${accepted}.`,
    );
  },
  serialization(typeName: string, value: unknown, detail?: string): SerializationError {
    return new SerializationError(
      `Cannot serialize ${describeValue(value)} as ${typeName}${detail ? `: ${detail}` : ''}. ` +
        `Declare a matching type with returns(...) or leave the type undeclared to use the generic serializer.`,
    );
  },
  corruptRecord(detail: string): CorruptRecordError {
    return new CorruptRecordError(`Corrupt record: ${detail}.`);
  },
  /** A configuration key strom does not know; `suggestion` is the nearest known key, if any is close. */
  unknownConfigKey(key: string, suggestion: string | undefined, origin?: string): ConfigurationError {
    return new ConfigurationError(
      key,
      `Unknown configuration key '${key}'${origin ? ` (from ${origin})` : ''}` +
        (suggestion ? `: did you mean '${suggestion}'?` : '.'),
    );
  },
  /** A configuration source (file, environment variable, command line) cannot be read. */
  configSource(source: string, detail: string): ConfigSourceError {
    return new ConfigSourceError(source, `Cannot read configuration from ${source}: ${detail}`);
  },
  /** Two configuration values that are valid alone contradict each other. */
  conflictingConfig(key: string, detail: string): ConfigurationError {
    return new ConfigurationError(key, `Invalid configuration for '${key}': ${detail}.`);
  },
  /**
   * Flink's "Insufficient number of network buffers" error: the pools being created need more
   * segments than the network buffer pool has left.
   */
  insufficientNetworkBuffers(
    required: number,
    available: number,
    totalSegments: number,
    segmentSize: number,
  ): InsufficientNetworkBuffersError {
    return new InsufficientNetworkBuffersError(
      `Insufficient number of network buffers: required ${required}, but only ${available} available. ` +
        `The total number of network buffers is currently set to ${totalSegments} of ${segmentSize} bytes each. ` +
        `You can increase this number by setting the configuration keys 'taskmanager.memory.network.min' and ` +
        `'taskmanager.memory.network.max' (or 'taskmanager.memory.network.fraction' when 'taskmanager.memory.process.size' is set), ` +
        `or lower 'taskmanager.network.memory.buffers-per-channel' or the parallelism.`,
      required,
      available,
    );
  },
  /** A programming error: an argument outside its documented range (a `RangeError`, not a StromError). */
  argumentOutOfRange(name: string, value: unknown, accepted: string): RangeError {
    return new RangeError(`Invalid ${name} ${describeValue(value)}: ${accepted}.`);
  },
  /** A programming error: an argument of the wrong type (a `TypeError`, not a StromError). */
  invalidArgumentType(name: string, value: unknown, accepted: string): TypeError {
    return new TypeError(`Invalid ${name} ${describeValue(value)}: ${accepted}.`);
  },
  /** An operation the object does not support, e.g. `selectChannel` on a broadcast partitioner. */
  unsupportedOperation(detail: string): StromError {
    return new StromError('ERR_UNSUPPORTED_OPERATION', detail);
  },
  /** A user function of `operator` threw `cause` (kept as the error's `cause`). */
  userFunction(operator: string, fnName: string, cause: unknown): UserFunctionError {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : describeValue(cause);
    return new UserFunctionError(
      `User function '${fnName}' of operator '${operator}' threw: ${detail}`,
      operator,
      fnName,
      cause,
    );
  },
  /**
   * A source or sink was given no path, typically because the job reads it from a job parameter
   * the caller did not pass (`readTextFile(params.input)` without `-- --input <file>`).
   */
  missingPath(method: string, value: unknown, parameter: 'input' | 'output'): InvalidJobError {
    return new InvalidJobError(
      `${method}() needs a file path, got ${describeValue(value)}. If the job takes it from a job parameter ` +
        `(e.g. params.${parameter}), pass that parameter: strom run job.ts -- --${parameter} <path>, ` +
        `or execute(job, { params: { ${parameter}: '<path>' } }).`,
    );
  },
  /** The job as written cannot be planned (bad parallelism, partitioning, or a dangling edge). */
  invalidJob(detail: string, operator?: string): InvalidJobError {
    return new InvalidJobError(detail, operator);
  },
  /** Flink's error for a FORWARD edge between operators of different parallelism. */
  forwardParallelismMismatch(upstream: string, upstreamParallelism: number, downstream: string, downstreamParallelism: number): InvalidJobError {
    return new InvalidJobError(
      `Forward partitioning does not allow change of parallelism. Upstream operation: ${upstream} ` +
        `parallelism: ${upstreamParallelism}, downstream operation: ${downstream} parallelism: ${downstreamParallelism}. ` +
        `You must use another partitioning strategy, such as broadcast, rebalance, shuffle or global.`,
      downstream,
    );
  },
  /** The job needs more task slots than `taskmanager.numberOfTaskSlots` provides. */
  insufficientSlots(required: number, available: number, detail: string): InsufficientSlotsError {
    return new InsufficientSlotsError(
      `Insufficient number of task slots: the job requires ${required} slot(s), but only ${available} ` +
        `available ('taskmanager.numberOfTaskSlots' = ${available}). ${detail}` +
        `Increase 'taskmanager.numberOfTaskSlots' (or leave it unset: the local TaskManager then gets the slots the job needs), ` +
        `or lower the parallelism ('parallelism.default' or ` +
        `setParallelism()), or put more operators into the same slot sharing group.`,
      required,
      available,
    );
  },
  /** A text file source cannot read `path` (missing, a directory, no permission, an I/O error). */
  sourceFile(path: string, detail: string, cause?: unknown): SourceError {
    // A missing file is the common mistake: say what to check.
    const fix = (cause as { code?: unknown } | undefined)?.code === 'ENOENT' ? ' Check the path (a relative path is resolved against the working directory).' : '';
    return new SourceError('ERR_SOURCE_FILE', `Cannot read the text file source '${path}': ${detail}.${fix}`, path, cause);
  },
  /** A socket source cannot connect to, or lost its connection to, `host:port`. */
  sourceSocket(host: string, port: number, detail: string, cause?: unknown): SourceError {
    const endpoint = `${host}:${port}`;
    return new SourceError('ERR_SOURCE_SOCKET', `Socket source ${endpoint}: ${detail}.`, endpoint, cause);
  },
  /**
   * A text file sink would overwrite `path` (or mix its files with an earlier run's): writeAsText
   * does not overwrite unless its write mode is OVERWRITE (Flink's default `WriteMode.NO_OVERWRITE`).
   * `detail` says what is there (default: "it already exists").
   */
  sinkFileExists(path: string, detail = 'it already exists'): SinkError {
    return new SinkError(
      'ERR_SINK_FILE_EXISTS',
      `Cannot write the text file sink '${path}': ${detail}. writeAsText does not overwrite existing output ` +
        `(Flink's NO_OVERWRITE write mode): delete it or choose another path, or replace it with ` +
        `writeAsText(path, 'OVERWRITE'), -D fs.overwrite-files=true or strom's --overwrite.`,
      path,
    );
  },
  /** A text file sink cannot create, write or close `path` (no permission, disk full, not a directory...). */
  sinkFile(path: string, detail: string, cause?: unknown): SinkError {
    return new SinkError('ERR_SINK_FILE', `Cannot write the text file sink '${path}': ${detail}.`, path, cause);
  },
  /** A broken internal invariant of strom (a bug, not a user error). */
  internal(detail: string): StromError {
    return new StromError('ERR_INTERNAL', `Internal error: ${detail}. This is a bug in strom.`);
  },
};

/** The job graph cannot be turned into tasks: bad parallelism, partitioning or edges. */
export class InvalidJobError extends StromError {
  /** Name of the operator at fault, when there is one. */
  readonly operator: string | undefined;
  constructor(message: string, operator?: string) {
    super('ERR_INVALID_JOB', message);
    this.operator = operator;
  }
}

/** The job needs more task slots than the TaskManager has (`taskmanager.numberOfTaskSlots`). */
export class InsufficientSlotsError extends StromError {
  /** Slots the job needs (sum over slot sharing groups of their highest parallelism). */
  readonly required: number;
  /** Slots configured. */
  readonly available: number;
  constructor(message: string, required: number, available: number) {
    super('ERR_INSUFFICIENT_SLOTS', message);
    this.required = required;
    this.available = available;
  }
}

/**
 * A source cannot read its input: `ERR_SOURCE_FILE` (text file) or `ERR_SOURCE_SOCKET` (socket).
 * `cause` is the underlying system error, when there is one.
 */
export class SourceError extends StromError {
  /** What the source reads: the file path, or `host:port`. */
  readonly target: string;
  constructor(code: string, message: string, target: string, cause?: unknown) {
    super(code, message, { cause });
    this.target = target;
  }
}

/**
 * A sink cannot write its output: `ERR_SINK_FILE_EXISTS` (writeAsText would overwrite a file) or
 * `ERR_SINK_FILE` (an I/O error). `cause` is the underlying system error, when there is one.
 */
export class SinkError extends StromError {
  /** What the sink writes: the file path. */
  readonly target: string;
  constructor(code: string, message: string, target: string, cause?: unknown) {
    super(code, message, { cause });
    this.target = target;
  }
}

/**
 * A job failed: a user function threw, a task hit an error, or a worker thread died. Names the
 * job, the task and subtask (Flink style, `Map (2/4)`), and the operator when known; the
 * original error is the `cause`.
 */
export class JobExecutionError extends StromError {
  readonly jobName: string;
  /**
   * The `code` of the error the task failed with (e.g. `ERR_SINK_FILE_EXISTS`,
   * `ERR_SOURCE_FILE`, `ERR_USER_FUNCTION`, `ERR_WORKER_OUT_OF_MEMORY`), when it had one.
   */
  readonly failureCode: string | undefined;
  /** The failed task, e.g. `Flat Map -> Filter (1/2)`. */
  readonly task: string;
  /** 0-based subtask index, or -1 when the failure is not tied to one subtask. */
  readonly subtaskIndex: number;
  /** The operator whose user function failed, when known. */
  readonly operator: string | undefined;
  constructor(
    message: string,
    fields: { jobName: string; task: string; subtaskIndex: number; operator: string | undefined; cause: unknown; failureCode?: string },
  ) {
    super('ERR_JOB_FAILED', message, { cause: fields.cause });
    this.jobName = fields.jobName;
    this.failureCode = fields.failureCode;
    this.task = fields.task;
    this.subtaskIndex = fields.subtaskIndex;
    this.operator = fields.operator;
  }
}

/** The job was cancelled (AbortSignal, or the collect iterator was closed early). */
export class JobCancelledError extends StromError {
  readonly jobName: string;
  constructor(jobName: string) {
    super('ERR_JOB_CANCELLED', `Job '${jobName}' was cancelled.`);
    this.jobName = jobName;
  }
}
