/**
 * The StreamGraph: the job as the user wrote it, one node per operator and one edge per
 * connection, before chaining (Flink's StreamGraph). The DataStream API (src/api) builds it; the
 * planner (job-graph.ts, execution-plan.ts) turns it into chained tasks and subtasks.
 *
 * The graph is built anew in every thread that runs the job (JS functions cannot be shipped
 * between threads), so it must come out the same each time: node ids are assigned in creation
 * order, and `fingerprint()` summarises everything but the functions so a worker can check it
 * built the same job as the main thread.
 *
 * Layering: depends on types/, io/ (partitioner names) and eventtime/ (watermark strategies) only.
 */
import type { KeyedProcessFunction } from '../functions/keyed-process-function.js';
import type { OutputTag } from '../functions/output-tag.js';
import type { ProcessFunction } from '../functions/process-function.js';
import type { RichFunction } from '../functions/rich-function.js';
import type { WatermarkStrategy } from '../eventtime/watermark-strategy.js';
import type { TypeInformation } from '../types/type-information.js';

/** How a node may be chained with its neighbours (Flink's ChainingStrategy). */
export type ChainingStrategy =
  /** Chains with its predecessor and successors where the rules allow (the default). */
  | 'ALWAYS'
  /** Starts a new chain (`startNewChain()`); successors may still chain to it. Sources use it. */
  | 'HEAD'
  /** Never chained (`disableChaining()`). */
  | 'NEVER';

/** How records are distributed over an edge's consumer subtasks (Flink's partitioner names). */
export type PartitionerKind = 'FORWARD' | 'REBALANCE' | 'RESCALE' | 'SHUFFLE' | 'BROADCAST' | 'GLOBAL' | 'HASH';

/** The key of a keyed edge or keyed operator. */
export type KeySpec =
  /** Top-level fields of a declared TUPLE/ROW type (positions): the native state can use it. */
  | { kind: 'fields'; fields: number[]; names?: string[] }
  /** A user function computing the key from the record. */
  | { kind: 'selector'; selector: (record: unknown) => unknown };

/** What a node does. Functions are kept as given; only their presence enters the fingerprint. */
export type OperatorSpec =
  /** `watermarkStrategy`: the strategy of `fromSource(factory, strategy, name)`, run inside the source task. */
  | { kind: 'source'; source: SourceSpec; watermarkStrategy?: WatermarkStrategy<unknown> | undefined }
  /** `rich`: the rich function object whose method `fn` is (open/close/getRuntimeContext), if one was given. */
  | { kind: 'map'; fn: (value: unknown) => unknown; rich?: RichFunction | undefined }
  | { kind: 'flatMap'; fn: (value: unknown, out: (result: unknown) => void) => void; rich?: RichFunction | undefined }
  | { kind: 'filter'; fn: (value: unknown) => boolean; rich?: RichFunction | undefined }
  /** A two-input operator (`connect(other).map(fn1, fn2)`): fn1 maps input 0's records, fn2 input 1's. */
  | { kind: 'coMap'; fn1: (value: unknown) => unknown; fn2: (value: unknown) => unknown }
  | { kind: 'aggregate'; aggregation: 'sum' | 'min' | 'max' | 'minBy' | 'maxBy' | 'count' | 'avg'; field: number | string | undefined; key: KeySpec }
  | { kind: 'reduce'; fn: (accumulator: unknown, value: unknown) => unknown; key: KeySpec; rich?: RichFunction | undefined }
  /** `process(ProcessFunction)` on a non-keyed stream. */
  | { kind: 'process'; fn: ProcessFunction<unknown, unknown> }
  /** `keyBy(...).process(KeyedProcessFunction)`: keyed state and timers per key. */
  | { kind: 'keyedProcess'; fn: KeyedProcessFunction<unknown, unknown, unknown> | ProcessFunction<unknown, unknown>; key: KeySpec }
  | { kind: 'sink'; sink: SinkSpec }
  /** `assignTimestampsAndWatermarks(strategy)`: event time from here on is the strategy's. */
  | { kind: 'timestampsAndWatermarks'; strategy: WatermarkStrategy<unknown> };

/** Sources (bounded unless said otherwise). */
export type SourceSpec =
  | { kind: 'elements'; elements: readonly unknown[] }
  | { kind: 'sequence'; from: bigint | number; to: bigint | number }
  | { kind: 'textFile'; path: string }
  | { kind: 'socket'; host: string; port: number; delimiter: string }
  | { kind: 'custom'; factory: (context: { subtaskIndex: number; parallelism: number }) => AsyncIterable<unknown> | Iterable<unknown> };

/** Flink's `FileSystem.WriteMode`: whether a file sink may replace existing output. */
export type WriteMode = 'NO_OVERWRITE' | 'OVERWRITE';

/** Sinks. */
export type SinkSpec =
  | { kind: 'print'; prefix?: string; stderr: boolean }
  /** `writeMode` undefined: the configuration's `fs.overwrite-files` decides. */
  | { kind: 'textFile'; path: string; writeMode?: WriteMode }
  | { kind: 'collect' }
  | { kind: 'custom'; factory: (context: { subtaskIndex: number; parallelism: number }) => { invoke(value: unknown): void | Promise<void>; close?(): void | Promise<void> } };

/** One operator of the job. */
export interface StreamNode {
  /** Stable id: the node's position in creation order. */
  readonly id: number;
  /** Display name (`name()`), e.g. `Map`, `Source: Collection`, `Sink: Print to Std. Out`. */
  name: string;
  /** User-given stable id (`uid()`), for state; unique when set. */
  uid: string | undefined;
  operator: OperatorSpec;
  /** Parallelism; -1 = the environment's default. */
  parallelism: number;
  /** Max parallelism (key groups); -1 = the environment's setting, else derived. */
  maxParallelism: number;
  chaining: ChainingStrategy;
  /** Slot sharing group (`slotSharingGroup()`); `default` unless set. */
  slotSharingGroup: string;
  /** Declared output type (`returns()`), or undefined: GENERIC serialization. */
  outputType: TypeInformation<unknown> | undefined;
  /** Sources that can only run with parallelism 1 (fromElements, socket). */
  readonly nonParallel: boolean;
}

/** One connection from `source` to `target`. */
export interface StreamEdge {
  readonly source: number;
  readonly target: number;
  /** Explicit partitioning; undefined = FORWARD when parallelisms match, else REBALANCE. */
  partitioner: PartitionerKind | undefined;
  /** Key of a HASH edge. */
  key: KeySpec | undefined;
  /**
   * Which input of a two-input target the edge feeds (0 or 1; Flink's type number minus 1).
   * Undefined (0) for one-input targets, whose edges (a union's) all feed input 0.
   */
  inputIndex?: number | undefined;
  /** The side output the edge carries (`getSideOutput(tag)`, Flink's StreamEdge.outputTag); undefined: the main output. */
  sideOutputTag?: OutputTag<unknown> | undefined;
}

/** The whole job before chaining. */
export interface StreamGraph {
  readonly jobName: string;
  readonly nodes: StreamNode[];
  readonly edges: StreamEdge[];
}

/**
 * Everything about the graph that must be identical in every thread: ids, names, kinds,
 * parallelism, chaining, partitioning, keys by position, types by name. Functions count only by
 * their presence (their source text can differ between bundlers and is not compared).
 */
export function fingerprint(graph: StreamGraph): string {
  const nodes = graph.nodes.map((n) => [
    n.id,
    n.name,
    n.uid ?? null,
    operatorSummary(n.operator),
    n.parallelism,
    n.maxParallelism,
    n.chaining,
    n.slotSharingGroup,
    n.outputType?.name ?? null,
  ]);
  const edges = graph.edges.map((e) => [e.source, e.target, e.partitioner ?? null, keySummary(e.key), e.inputIndex ?? 0, e.sideOutputTag?.id ?? null]);
  return JSON.stringify({ job: graph.jobName, nodes, edges });
}

function operatorSummary(op: OperatorSpec): unknown {
  switch (op.kind) {
    case 'source':
      return ['source', op.source.kind, op.source.kind === 'elements' ? op.source.elements.length : null, op.watermarkStrategy?.toString() ?? null];
    case 'timestampsAndWatermarks':
      return ['timestampsAndWatermarks', op.strategy.toString()];
    case 'aggregate':
      return ['aggregate', op.aggregation, op.field ?? null, keySummary(op.key)];
    case 'reduce':
      return ['reduce', keySummary(op.key)];
    case 'keyedProcess':
      return ['keyedProcess', keySummary(op.key)];
    case 'sink':
      return ['sink', op.sink.kind];
    default:
      return [op.kind];
  }
}

function keySummary(key: KeySpec | undefined): unknown {
  if (!key) return null;
  return key.kind === 'fields' ? ['fields', key.fields] : ['selector'];
}
