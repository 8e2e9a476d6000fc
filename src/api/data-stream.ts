/**
 * Flink's DataStream API: `DataStream` (a stream of records, possibly the union of several, with
 * a pending partitioning), `SingleOutputStreamOperator` (the stream of one operator, whose
 * settings can still change), `KeyedStream` (after `keyBy`) and `ConnectedStreams` (two streams,
 * possibly of different types, into one two-input operator).
 *
 * Every call only adds to the StreamGraph; nothing runs until the job is executed.
 */
import { errors } from '../errors.js';
import { WatermarkStrategy } from '../eventtime/watermark-strategy.js';
import { KeyedProcessFunction } from '../functions/keyed-process-function.js';
import { OutputTag } from '../functions/output-tag.js';
import { ProcessFunction } from '../functions/process-function.js';
import { isRichFunction, type FlatMapCollector, type RichFilterFunction, type RichFlatMapFunction, type RichFunction, type RichMapFunction, type RichReduceFunction } from '../functions/rich-function.js';
import type { KeySpec, PartitionerKind, SinkSpec, StreamNode, WriteMode } from '../graph/stream-graph.js';
import { Types, type TypeInformation } from '../types/type-information.js';
import type { StreamGraphBuilder, StreamInput } from './stream-graph-builder.js';

/** A key: a field position, a ROW field name, or a function of the record. */
export type KeySelectorLike<T> = number | string | ((record: T) => unknown);

/** A stream of records of type T. */
export class DataStream<T> {
  /** @internal The graph this stream belongs to (strom/testing builds a harness from it). */
  readonly builder: StreamGraphBuilder;
  /** @internal */
  readonly inputs: readonly StreamInput[];
  /** Declared type of the records, when known. */
  readonly type: TypeInformation<T> | undefined;

  /** @internal */
  constructor(builder: StreamGraphBuilder, inputs: readonly StreamInput[], type: TypeInformation<T> | undefined) {
    this.builder = builder;
    this.inputs = inputs;
    this.type = type;
  }

  /** Applies `fn` (a function, or a RichMapFunction with open/close) to every record. */
  map<R>(fn: ((value: T) => R) | RichMapFunction<T, R>): SingleOutputStreamOperator<R> {
    const { call, rich } = functionOf<(v: unknown) => unknown>('map', fn);
    return this.transform<R>('Map', { kind: 'map', fn: call, rich });
  }

  /** Calls `fn` with every record and a collector; each `out(result)` (or `out.collect(result)`) emits one record. */
  flatMap<R>(fn: ((value: T, out: FlatMapCollector<R>) => void) | RichFlatMapFunction<T, R>): SingleOutputStreamOperator<R> {
    const { call, rich } = functionOf<(v: unknown, out: (r: unknown) => void) => void>('flatMap', fn);
    return this.transform<R>('Flat Map', { kind: 'flatMap', fn: call, rich });
  }

  /** Keeps the records for which `fn` (a function, or a RichFilterFunction) returns true. */
  filter(fn: ((value: T) => boolean) | RichFilterFunction<T>): SingleOutputStreamOperator<T> {
    const { call, rich } = functionOf<(v: unknown) => boolean>('filter', fn);
    return this.transform<T>('Filter', { kind: 'filter', fn: call, rich }, this.type);
  }

  /**
   * Calls `fn.processElement(value, ctx, out)` for every record (Flink's ProcessFunction): any
   * number of results, side outputs with `ctx.output(tag, value)`. Timers and keyed state need
   * a keyed stream: `keyBy(...).process(...)`.
   */
  process<R>(fn: ProcessFunction<T, R>): SingleOutputStreamOperator<R> {
    if (fn instanceof KeyedProcessFunction) {
      throw errors.invalidArgumentType('process function', fn, 'a KeyedProcessFunction needs a keyed stream: call keyBy(...) before process(...)');
    }
    checkProcessFunction(fn);
    return this.transform<R>('Process', { kind: 'process', fn: fn as ProcessFunction<unknown, unknown> });
  }

  /**
   * Gives every record an event timestamp and the stream watermarks, as `strategy` says (Flink's
   * `assignTimestampsAndWatermarks`). Timestamps and watermarks from upstream are replaced; the
   * end of input's final watermark still passes. Periodic watermarks come every
   * `pipeline.auto-watermark-interval` (200 ms by default).
   */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): SingleOutputStreamOperator<T> {
    if (!WatermarkStrategy.isWatermarkStrategy(strategy)) {
      throw errors.invalidArgumentType(
        'watermark strategy',
        strategy,
        'expected a WatermarkStrategy, e.g. WatermarkStrategy.forBoundedOutOfOrderness(5000).withTimestampAssigner((e) => e.time)',
      );
    }
    return this.transform<T>('Timestamps/Watermarks', { kind: 'timestampsAndWatermarks', strategy: strategy as WatermarkStrategy<unknown> }, this.type);
  }

  /**
   * Partitions the stream by key, as Flink's `keyBy`: by field position or ROW field name (the
   * aggregations can then run natively on the serialized records) or by a key selector function.
   */
  keyBy<K = unknown>(key: KeySelectorLike<T>): KeyedStream<T, K> {
    const spec = resolveKey(key, this.type);
    return new KeyedStream<T, K>(this.builder, this.withPartitioner('HASH', spec).inputs, this.type, spec);
  }

  /** Merges this stream with others of the same type (no operator: the consumer gets several inputs). */
  union(...others: DataStream<T>[]): DataStream<T> {
    for (const other of others) {
      if (!(other instanceof DataStream) || other.builder !== this.builder) {
        throw errors.invalidArgumentType('union input', other, 'expected a DataStream of the same environment');
      }
    }
    return new DataStream<T>(this.builder, [...this.inputs, ...others.flatMap((o) => o.inputs)], this.type);
  }

  /**
   * Connects this stream to `other` (possibly of another type) for a two-input operator, as
   * Flink's `connect`: `connect(other).map(fn1, fn2)` maps this stream's records with `fn1` and
   * `other`'s with `fn2` into one stream.
   */
  connect<T2>(other: DataStream<T2>): ConnectedStreams<T, T2> {
    if (!(other instanceof DataStream) || other.builder !== this.builder) {
      throw errors.invalidArgumentType('connect input', other, 'expected a DataStream of the same environment');
    }
    return new ConnectedStreams<T, T2>(this.builder, this.inputs, other.inputs);
  }

  /** Round-robin over all consumer subtasks. */
  rebalance(): DataStream<T> {
    return this.withPartitioner('REBALANCE');
  }
  /** Round-robin over a subset of consumer subtasks (pointwise). */
  rescale(): DataStream<T> {
    return this.withPartitioner('RESCALE');
  }
  /** Uniformly random consumer subtask. */
  shuffle(): DataStream<T> {
    return this.withPartitioner('SHUFFLE');
  }
  /** Every record to every consumer subtask. */
  broadcast(): DataStream<T> {
    return this.withPartitioner('BROADCAST');
  }
  /** Subtask i to subtask i; needs equal parallelism. */
  forward(): DataStream<T> {
    return this.withPartitioner('FORWARD');
  }
  /** Everything to subtask 0 of the consumer. */
  global(): DataStream<T> {
    return this.withPartitioner('GLOBAL');
  }

  /**
   * Prints every record to stdout, Flink's way: `N> record` (N = sink subtask, from 1) when the
   * sink's parallelism is above 1; `prefix` is put in front (`prefix:N> record`).
   */
  print(prefix?: string): DataStreamSink<T> {
    return this.sink('Print to Std. Out', { kind: 'print', prefix, stderr: false });
  }
  /** Like `print`, to stderr. */
  printToErr(prefix?: string): DataStreamSink<T> {
    return this.sink('Print to Std. Err', { kind: 'print', prefix, stderr: true });
  }
  /**
   * Writes records as text lines (`String(record)`; tuples as Flink prints them, `(a,1)`). With
   * parallelism 1 `path` is a file; above 1 it is a directory holding one file per subtask,
   * named `1`, `2`, ... as in Flink.
   *
   * The output is whole or absent: subtasks write hidden in-progress files that become `path`
   * only when the whole job succeeded, and are removed when it fails or is cancelled.
   * `writeMode` is Flink's `FileSystem.WriteMode` (`FileSystem.WriteMode.OVERWRITE` or the string): `'NO_OVERWRITE'` refuses, before the job
   * starts, a `path` that already holds output (an empty directory is fine); `'OVERWRITE'`
   * replaces it when the job succeeded. Default: `fs.overwrite-files` (false: NO_OVERWRITE).
   */
  writeAsText(path: string, writeMode?: WriteMode): DataStreamSink<T> {
    if (typeof path !== 'string' || path.length === 0) throw errors.missingPath('writeAsText', path, 'output');
    if (writeMode !== undefined && writeMode !== 'NO_OVERWRITE' && writeMode !== 'OVERWRITE') {
      throw errors.invalidArgumentType('writeMode', writeMode, "expected 'NO_OVERWRITE' or 'OVERWRITE' (Flink's FileSystem.WriteMode)");
    }
    return this.sink(`TextFile: ${path}`, { kind: 'textFile', path, writeMode });
  }
  /** Sends the records back to the caller of `executeAndCollect()`, as an async iterator. */
  collect(): DataStreamSink<T> {
    return this.sink('Collect', { kind: 'collect' });
  }
  /** A custom sink: `factory` is called once per sink subtask. */
  addSink(factory: Extract<SinkSpec, { kind: 'custom' }>['factory'], name = 'Unnamed'): DataStreamSink<T> {
    checkFunction('addSink', factory);
    return this.sink(name, { kind: 'custom', factory });
  }

  /** @internal */
  protected withPartitioner(partitioner: PartitionerKind, key?: KeySpec): DataStream<T> {
    return new DataStream<T>(
      this.builder,
      this.inputs.map((input) => ({ ...input, partitioner, key })),
      this.type,
    );
  }

  /** @internal */
  protected transform<R>(name: string, operator: StreamNode['operator'], outputType?: TypeInformation<unknown>): SingleOutputStreamOperator<R> {
    const node = this.builder.addNode(name, operator, this.inputs, { outputType });
    return new SingleOutputStreamOperator<R>(this.builder, node);
  }

  private sink(name: string, sink: SinkSpec): DataStreamSink<T> {
    const node = this.builder.addNode(`Sink: ${name}`, { kind: 'sink', sink }, this.inputs);
    return new DataStreamSink<T>(node);
  }
}

/**
 * Settings shared by operators and sinks (Flink's SingleOutputStreamOperator and DataStreamSink
 * setters); defined once below and given to both classes.
 */
export interface OperatorSettings {
  /** The operator's parallelism (1..32768). */
  setParallelism(parallelism: number): this;
  /** Display name in plans, metrics and errors. */
  name(name: string): this;
  /** A stable id for the operator's state; unique within the job. */
  uid(uid: string): this;
  /** Operators of different groups never share a slot. Default `default`. */
  slotSharingGroup(group: string): this;
  /** Never chain this operator with others. */
  disableChaining(): this;
}

function nonEmpty(what: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw errors.invalidArgumentType(what, value, 'expected a non-empty string');
  return value;
}

const OPERATOR_SETTINGS: ThisType<{ readonly node: StreamNode }> & Record<keyof OperatorSettings, (...args: never[]) => unknown> = {
  setParallelism(parallelism: number) {
    const node = this.node;
    if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 32768) {
      throw errors.argumentOutOfRange(`parallelism of '${node.name}'`, parallelism, 'expected an integer from 1 to 32768');
    }
    if (node.nonParallel && parallelism !== 1) {
      throw errors.argumentOutOfRange(`parallelism of '${node.name}'`, parallelism, 'this source is not parallel: it runs with parallelism 1');
    }
    node.parallelism = parallelism;
    return this;
  },
  name(name: string) {
    this.node.name = nonEmpty('name', name);
    return this;
  },
  uid(uid: string) {
    this.node.uid = nonEmpty('uid', uid);
    return this;
  },
  slotSharingGroup(group: string) {
    this.node.slotSharingGroup = nonEmpty('slotSharingGroup', group);
    return this;
  },
  disableChaining() {
    this.node.chaining = 'NEVER';
    return this;
  },
};

/** The stream of one operator, whose settings can still be changed. */
export interface SingleOutputStreamOperator<T> extends OperatorSettings {}
export class SingleOutputStreamOperator<T> extends DataStream<T> {
  /** @internal */
  readonly node: StreamNode;

  /** @internal */
  constructor(builder: StreamGraphBuilder, node: StreamNode) {
    super(builder, [{ node: node.id, partitioner: undefined, key: undefined }], node.outputType as TypeInformation<T> | undefined);
    this.node = node;
  }

  /** The operator's number of key groups (1..32768, at least its parallelism). */
  setMaxParallelism(maxParallelism: number): this {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768) {
      throw errors.argumentOutOfRange(`max parallelism of '${this.node.name}'`, maxParallelism, 'expected an integer from 1 to 32768');
    }
    this.node.maxParallelism = maxParallelism;
    return this;
  }
  /** Start a new chain at this operator (successors may chain to it). */
  startNewChain(): this {
    this.node.chaining = 'HEAD';
    return this;
  }
  /**
   * Declares the type of the records this operator emits, so they get a fast fixed serializer
   * (and keyed aggregations can run natively). Undeclared records use the generic serializer.
   */
  returns<R>(type: TypeInformation<R>): SingleOutputStreamOperator<R> {
    if (!type || typeof (type as TypeInformation<R>).createSerializer !== 'function') {
      throw errors.invalidArgumentType('returns type', type, 'expected a TypeInformation such as Types.TUPLE(Types.STRING, Types.DOUBLE)');
    }
    this.node.outputType = type as TypeInformation<unknown>;
    return new SingleOutputStreamOperator<R>(this.builder, this.node);
  }
  /** The records this operator's function emitted to `tag` with `ctx.output(tag, value)` (Flink's getSideOutput). */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    if (!OutputTag.isOutputTag(tag)) throw errors.invalidArgumentType('getSideOutput tag', tag, "expected an OutputTag: new OutputTag('late')");
    return new DataStream<X>(this.builder, [{ node: this.node.id, partitioner: undefined, key: undefined, sideOutputTag: tag }], undefined);
  }
}

/** The end of a stream; its settings can still be changed. */
export interface DataStreamSink<T> extends OperatorSettings {}
export class DataStreamSink<T> {
  /** @internal */
  readonly node: StreamNode;
  declare private readonly phantom?: T;

  /** @internal */
  constructor(node: StreamNode) {
    this.node = node;
  }
}

Object.assign(SingleOutputStreamOperator.prototype, OPERATOR_SETTINGS);
Object.assign(DataStreamSink.prototype, OPERATOR_SETTINGS);

/** Two connected streams (Flink's ConnectedStreams): the inputs of a two-input operator. */
export class ConnectedStreams<IN1, IN2> {
  /** @internal */
  constructor(
    private readonly builder: StreamGraphBuilder,
    private readonly inputs1: readonly StreamInput[],
    private readonly inputs2: readonly StreamInput[],
  ) {}

  /** A two-input map (Flink's CoMap): `fn1` for the first stream's records, `fn2` for the second's. */
  map<R>(fn1: (value: IN1) => R, fn2: (value: IN2) => R): SingleOutputStreamOperator<R> {
    checkFunction('map1', fn1);
    checkFunction('map2', fn2);
    const inputs = [...this.inputs1.map((i) => ({ ...i, inputIndex: 0 })), ...this.inputs2.map((i) => ({ ...i, inputIndex: 1 }))];
    const node = this.builder.addNode('Co-Map', { kind: 'coMap', fn1: fn1 as (v: unknown) => unknown, fn2: fn2 as (v: unknown) => unknown }, inputs);
    return new SingleOutputStreamOperator<R>(this.builder, node);
  }
}

/** A stream partitioned by key: the rolling aggregations and reduce. */
export class KeyedStream<T, K = unknown> extends DataStream<T> {
  /** @internal */
  readonly key: KeySpec;
  declare private readonly keyPhantom?: K;

  /** @internal */
  constructor(builder: StreamGraphBuilder, inputs: readonly StreamInput[], type: TypeInformation<T> | undefined, key: KeySpec) {
    super(builder, inputs, type);
    this.key = key;
  }

  /** Running sum of `field`; the other fields come from the key's first record. */
  sum(field: number | string): SingleOutputStreamOperator<T> {
    return this.aggregate('sum', field);
  }
  /** Running minimum of `field` (only that field changes). */
  min(field: number | string): SingleOutputStreamOperator<T> {
    return this.aggregate('min', field);
  }
  /** Running maximum of `field` (only that field changes). */
  max(field: number | string): SingleOutputStreamOperator<T> {
    return this.aggregate('max', field);
  }
  /** The record with the smallest `field` so far (the first one on ties). */
  minBy(field: number | string): SingleOutputStreamOperator<T> {
    return this.aggregate('minBy', field);
  }
  /** The record with the largest `field` so far (the first one on ties). */
  maxBy(field: number | string): SingleOutputStreamOperator<T> {
    return this.aggregate('maxBy', field);
  }
  /** `[key, number of records]` per key (strom addition; Flink has no keyed count). */
  count(): SingleOutputStreamOperator<[K, number]> {
    return this.aggregate('count', undefined) as unknown as SingleOutputStreamOperator<[K, number]>;
  }
  /** `[key, mean of field]` per key (strom addition). */
  avg(field: number | string): SingleOutputStreamOperator<[K, number]> {
    return this.aggregate('avg', field) as unknown as SingleOutputStreamOperator<[K, number]>;
  }
  /** Combines the records of each key with `fn(accumulator, value)` (a function or a RichReduceFunction). */
  reduce(fn: ((accumulator: T, value: T) => T) | RichReduceFunction<T>): SingleOutputStreamOperator<T> {
    const { call, rich } = functionOf<(a: unknown, v: unknown) => unknown>('reduce', fn);
    return this.transform<T>('Keyed Reduce', { kind: 'reduce', fn: call, key: this.key, rich }, this.type);
  }

  /**
   * Calls `fn.processElement(value, ctx, out)` for every record with its key current (Flink's
   * KeyedProcessFunction): keyed state through `getRuntimeContext()`, timers per key through
   * `ctx.timerService()` (which call `fn.onTimer`), side outputs with `ctx.output(tag, value)`.
   */
  override process<R>(fn: KeyedProcessFunction<K, T, R> | ProcessFunction<T, R>): SingleOutputStreamOperator<R> {
    checkProcessFunction(fn);
    return this.transform<R>('KeyedProcess', {
      kind: 'keyedProcess',
      fn: fn as KeyedProcessFunction<unknown, unknown, unknown>,
      key: this.key,
    });
  }

  private aggregate(aggregation: 'sum' | 'min' | 'max' | 'minBy' | 'maxBy' | 'count' | 'avg', field: number | string | undefined): SingleOutputStreamOperator<T> {
    if (field !== undefined) checkField(field, this.type, aggregation);
    let outputType: TypeInformation<unknown> | undefined = this.type;
    if (aggregation === 'count' || aggregation === 'avg') outputType = countOutputType(this.key, this.type);
    return this.transform<T>('Keyed Aggregation', { kind: 'aggregate', aggregation, field, key: this.key }, outputType);
  }
}

/**
 * A plain function as it is, or the method `what` of a rich function object, bound to it (its
 * open/close run around the operator's life).
 */
function functionOf<F>(what: string, fn: unknown): { call: F; rich: RichFunction | undefined } {
  if (typeof fn === 'function') return { call: fn as F, rich: undefined };
  const method = (fn as Record<string, unknown> | null)?.[what];
  if (isRichFunction(fn) && typeof method === 'function') return { call: method.bind(fn) as F, rich: fn };
  throw errors.invalidArgumentType(`${what} function`, fn, `expected a function or an object with a ${what} method extending Rich${what[0]!.toUpperCase()}${what.slice(1)}Function`);
}

function checkProcessFunction(fn: unknown): void {
  if (!(fn instanceof ProcessFunction || fn instanceof KeyedProcessFunction) && !(isRichFunction(fn) && typeof (fn as { processElement?: unknown }).processElement === 'function')) {
    throw errors.invalidArgumentType('process function', fn, 'expected an object of a class extending ProcessFunction or KeyedProcessFunction, with processElement(value, ctx, out)');
  }
}

function checkFunction(what: string, fn: unknown): void {
  if (typeof fn !== 'function') throw errors.invalidArgumentType(`${what} function`, fn, 'expected a function');
}

function fieldNames(type: TypeInformation<unknown> | undefined): readonly string[] | undefined {
  return (type as { fieldNames?: readonly string[] } | undefined)?.fieldNames;
}

function fieldTypes(type: TypeInformation<unknown> | undefined): readonly TypeInformation<unknown>[] | undefined {
  return (type as { fieldTypes?: readonly TypeInformation<unknown>[] } | undefined)?.fieldTypes;
}

function checkField(field: number | string, type: TypeInformation<unknown> | undefined, what: string): void {
  if (typeof field === 'number') {
    if (!Number.isInteger(field) || field < 0) throw errors.argumentOutOfRange(`${what} field`, field, 'expected a field position >= 0');
    const n = fieldTypes(type)?.length;
    if (n !== undefined && field >= n) throw errors.argumentOutOfRange(`${what} field`, field, `${type!.name} has ${n} fields`);
    return;
  }
  if (typeof field !== 'string') throw errors.invalidArgumentType(`${what} field`, field, 'expected a field position or name');
  const names = fieldNames(type);
  if (!names) {
    throw errors.argumentOutOfRange(`${what} field`, field, 'field names need a ROW type: declare it with returns(Types.ROW({...}))');
  }
  if (!names.includes(field)) throw errors.argumentOutOfRange(`${what} field`, field, `expected one of ${names.join(', ')}`);
}

function resolveKey<T>(key: KeySelectorLike<T>, type: TypeInformation<T> | undefined): KeySpec {
  if (typeof key === 'function') return { kind: 'selector', selector: key as (record: unknown) => unknown };
  checkField(key, type as TypeInformation<unknown> | undefined, 'keyBy');
  if (typeof key === 'string') return { kind: 'fields', fields: [fieldNames(type as TypeInformation<unknown>)!.indexOf(key)], names: [key] };
  return { kind: 'fields', fields: [key] };
}

function countOutputType(key: KeySpec, type: TypeInformation<unknown> | undefined): TypeInformation<unknown> | undefined {
  const types = fieldTypes(type);
  if (key.kind !== 'fields' || !types) return undefined;
  const keyType = key.fields.length === 1 ? types[key.fields[0]!]! : Types.TUPLE(...key.fields.map((f) => types[f]!));
  return Types.TUPLE(keyType, Types.DOUBLE);
}
