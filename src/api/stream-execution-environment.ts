/**
 * Flink's StreamExecutionEnvironment: the job's settings and its sources. A job module builds
 * its pipeline on the environment it is given (see define-job.ts); the same module runs in the
 * main thread (to plan) and in every worker (to get the operators' functions).
 */
import { Configuration } from '../config/configuration.js';
import { AUTO_WATERMARK_INTERVAL, BUFFER_TIMEOUT, DEFAULT_PARALLELISM, MAX_PARALLELISM, OPERATOR_CHAINING, RUNTIME_MODE } from '../config/config-options.js';
import { errors } from '../errors.js';
import type { TEMPORARILY_IDLE, TimestampedValue, Watermark } from '../eventtime/source-markers.js';
import { WatermarkStrategy } from '../eventtime/watermark-strategy.js';
import type { SourceSpec, StreamGraph } from '../graph/stream-graph.js';
import { Types, type TypeInformation } from '../types/type-information.js';
import { SingleOutputStreamOperator } from './data-stream.js';
import { StreamGraphBuilder } from './stream-graph-builder.js';

/** What a `fromSource` iterable yields: records, or event-time markers (eventtime/source-markers.ts). */
export type SourceElement<T> = T | TimestampedValue<T> | Watermark | typeof TEMPORARILY_IDLE;

/** What `fromSource` calls in each source subtask: the (async) iterable of that subtask's records. */
export type SourceFactory<T> = (context: { subtaskIndex: number; parallelism: number }) => AsyncIterable<SourceElement<T>> | Iterable<SourceElement<T>>;

/** `execution.runtime-mode`. */
export type RuntimeMode = 'STREAMING' | 'BATCH';

export class StreamExecutionEnvironment {
  /** The job's configuration (Flink keys); the setters below write to it. */
  readonly config: Configuration;
  readonly #builder = new StreamGraphBuilder();

  constructor(config: Configuration = new Configuration()) {
    this.config = config;
  }

  /** Default parallelism of operators (`parallelism.default`). */
  setParallelism(parallelism: number): this {
    this.config.set(DEFAULT_PARALLELISM, parallelism);
    return this;
  }
  getParallelism(): number {
    return this.config.get(DEFAULT_PARALLELISM);
  }
  /** Number of key groups of keyed operators (`pipeline.max-parallelism`); -1 derives it. */
  setMaxParallelism(maxParallelism: number): this {
    this.config.set(MAX_PARALLELISM, maxParallelism);
    return this;
  }
  /** STREAMING or BATCH (`execution.runtime-mode`). */
  setRuntimeMode(mode: RuntimeMode): this {
    this.config.set(RUNTIME_MODE, mode);
    return this;
  }
  getRuntimeMode(): RuntimeMode {
    return this.config.get(RUNTIME_MODE);
  }
  /** Flush interval of partly filled buffers in ms (`execution.buffer-timeout`); 0 = every record, -1 = only full. */
  setBufferTimeout(timeoutMs: number): this {
    this.config.set(BUFFER_TIMEOUT, timeoutMs);
    return this;
  }
  /** Interval of periodic watermarks in ms (`pipeline.auto-watermark-interval`, Flink's `ExecutionConfig.setAutoWatermarkInterval`); 0 = off. */
  setAutoWatermarkInterval(intervalMs: number): this {
    this.config.set(AUTO_WATERMARK_INTERVAL, intervalMs);
    return this;
  }
  /** Turns operator chaining off for the whole job (`pipeline.operator-chaining`). */
  disableOperatorChaining(): this {
    this.config.set(OPERATOR_CHAINING, false);
    return this;
  }

  /** A bounded, non-parallel source of the given elements. */
  fromElements<T>(...elements: T[]): SingleOutputStreamOperator<T> {
    return this.fromCollection(elements);
  }

  /** A bounded, non-parallel source of the elements of `collection`, copied now. */
  fromCollection<T>(collection: Iterable<T>): SingleOutputStreamOperator<T> {
    if (collection == null || typeof (collection as Iterable<T>)[Symbol.iterator] !== 'function') {
      throw errors.invalidArgumentType('collection', collection, 'expected an array or another iterable');
    }
    const elements = Array.from(collection);
    return this.source<T>('Collection Source', { kind: 'elements', elements }, inferType(elements), true);
  }

  /**
   * A bounded parallel source of the integers from `from` to `to` inclusive, split among the
   * source subtasks. numbers give numbers (DOUBLE), bigints give bigints (LONG).
   */
  fromSequence(from: number, to: number): SingleOutputStreamOperator<number>;
  fromSequence(from: bigint, to: bigint): SingleOutputStreamOperator<bigint>;
  fromSequence(from: number | bigint, to: number | bigint): SingleOutputStreamOperator<number> | SingleOutputStreamOperator<bigint> {
    const big = typeof from === 'bigint' && typeof to === 'bigint';
    const small = typeof from === 'number' && typeof to === 'number' && Number.isSafeInteger(from) && Number.isSafeInteger(to);
    if (!big && !small) {
      throw errors.invalidArgumentType('fromSequence bounds', [from, to], 'expected two safe integers or two bigints');
    }
    if (from > to) throw errors.argumentOutOfRange('fromSequence bounds', [from, to], 'from must not be larger than to');
    const type: TypeInformation<unknown> = big ? Types.LONG : Types.DOUBLE;
    return this.source<number>('Sequence Source', { kind: 'sequence', from, to }, type, false);
  }

  /**
   * Reads a text file line by line (without line terminators; `\n` and `\r\n` both end a line).
   * The file is split among the source subtasks by byte ranges aligned to line starts, so every
   * line is read exactly once whatever the parallelism.
   */
  readTextFile(path: string): SingleOutputStreamOperator<string> {
    if (typeof path !== 'string' || path.length === 0) throw errors.missingPath('readTextFile', path, 'input');
    return this.source(`readTextFile(${path})`, { kind: 'textFile', path }, Types.STRING, false);
  }

  /** An unbounded, non-parallel source of the lines (split at `delimiter`) read from a TCP socket. */
  socketTextStream(host: string, port: number, delimiter = '\n'): SingleOutputStreamOperator<string> {
    if (typeof host !== 'string' || host.length === 0) throw errors.invalidArgumentType('host', host, 'expected a host name');
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw errors.argumentOutOfRange('port', port, 'expected 1..65535');
    if (typeof delimiter !== 'string' || delimiter.length === 0) throw errors.invalidArgumentType('delimiter', delimiter, 'expected a non-empty string');
    return this.source(`Socket Stream(${host}:${port})`, { kind: 'socket', host, port, delimiter }, Types.STRING, true);
  }

  /**
   * A custom parallel source: `factory` is called in each source subtask and returns the
   * (async) iterable of that subtask's records. The source ends when every iterable ends.
   *
   * `fromSource(factory, strategy, name?, type?)` (Flink's `fromSource(source, WatermarkStrategy,
   * name)`) runs `strategy` inside each source subtask: records get its timestamps and the
   * stream its watermarks. `fromSource(factory, name?, type?)` has no strategy. Either way the
   * iterable may yield TimestampedValue, Watermark and TEMPORARILY_IDLE to carry event time itself.
   */
  fromSource<T>(factory: SourceFactory<T>, name?: string, type?: TypeInformation<T>): SingleOutputStreamOperator<T>;
  fromSource<T>(factory: SourceFactory<T>, strategy: WatermarkStrategy<T>, name?: string, type?: TypeInformation<T>): SingleOutputStreamOperator<T>;
  fromSource<T>(
    factory: SourceFactory<T>,
    strategyOrName?: WatermarkStrategy<T> | string,
    nameOrType?: string | TypeInformation<T>,
    maybeType?: TypeInformation<T>,
  ): SingleOutputStreamOperator<T> {
    if (typeof factory !== 'function') throw errors.invalidArgumentType('source factory', factory, 'expected a function');
    const withStrategy = WatermarkStrategy.isWatermarkStrategy(strategyOrName);
    const name = (withStrategy ? nameOrType : strategyOrName) ?? 'Custom Source';
    const type = withStrategy ? maybeType : nameOrType;
    if (typeof name !== 'string' || name.length === 0) {
      throw errors.invalidArgumentType(
        'fromSource name',
        name,
        'expected fromSource(factory, name?, type?) or fromSource(factory, WatermarkStrategy, name?, type?) with a non-empty name',
      );
    }
    if (type !== undefined && typeof (type as TypeInformation<T>).createSerializer !== 'function') {
      throw errors.invalidArgumentType('fromSource type', type, 'expected a TypeInformation such as Types.STRING');
    }
    const watermarkStrategy = withStrategy ? (strategyOrName as WatermarkStrategy<unknown>) : undefined;
    return this.source(name, { kind: 'custom', factory }, type as TypeInformation<unknown> | undefined, false, watermarkStrategy);
  }

  /** The StreamGraph built so far, named `jobName`. */
  getStreamGraph(jobName = 'strom job'): StreamGraph {
    return this.#builder.build(jobName);
  }

  private source<T>(
    name: string,
    source: SourceSpec,
    type: TypeInformation<unknown> | undefined,
    nonParallel: boolean,
    watermarkStrategy?: WatermarkStrategy<unknown>,
  ): SingleOutputStreamOperator<T> {
    const operator = watermarkStrategy ? { kind: 'source' as const, source, watermarkStrategy } : { kind: 'source' as const, source };
    const node = this.#builder.addNode(`Source: ${name}`, operator, [], {
      outputType: type,
      nonParallel,
      chaining: 'HEAD',
    });
    return new SingleOutputStreamOperator<T>(this.#builder, node);
  }
}

/** STRING, DOUBLE, LONG or BOOLEAN when every element is of that kind; otherwise undeclared. */
function inferType(elements: readonly unknown[]): TypeInformation<unknown> | undefined {
  if (elements.length === 0) return undefined;
  const kind = typeof elements[0];
  if (!elements.every((e) => typeof e === kind)) return undefined;
  switch (kind) {
    case 'string':
      return Types.STRING;
    case 'number':
      return Types.DOUBLE;
    case 'bigint':
      return Types.LONG;
    case 'boolean':
      return Types.BOOLEAN;
    default:
      return undefined;
  }
}
