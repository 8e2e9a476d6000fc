/**
 * The physical choices of a job, made once on the main thread before deployment (what Flink's
 * StreamingJobGraphGenerator fixes in the StreamConfig of each operator): the type, hence the
 * serializer, of the records on every edge and into every operator; whether a keyed aggregation
 * runs in the addon on serialized records (native) or on JS values (js); and whether a keyed
 * exchange gets a combiner in front of it. Workers instantiate what this says and decide
 * nothing; `strom explain` prints it.
 *
 * ## Rules
 * - Record type into an operator input: the declared output type (`returns()`) shared by every
 *   producer on that input, else GENERIC (a union of differently typed streams is GENERIC).
 *   An edge's serializer is its consumer input's type.
 * - Keyed aggregation: native when the key is by fields and the input type is declared and
 *   native-readable (TUPLE/ROW of STRING, DOUBLE, LONG, BOOLEAN, nested); js otherwise (key
 *   selector functions, GENERIC records). `reduce` is always js (a user function).
 * - Combiner: only in BATCH mode (STREAMING must emit every update), on a HASH edge whose
 *   consumer is a native `sum`, `min` or `max` of a field (associative, so partials combine).
 *
 * Types cross threads by reference: a {@link RecordType} names the node whose declared type it
 * is, and the worker, which rebuilt the same StreamGraph (checked by its fingerprint), resolves
 * it with {@link resolveRecordType}.
 *
 * Layering: depends on stream-graph, job-graph, ../types and ../errors only.
 */
import { errors } from '../errors.js';
import { isNativeAggregatable } from '../types/type-descriptor.js';
import { Types, type TypeInformation } from '../types/type-information.js';
import type { JobEdge } from './job-graph.js';
import type { OperatorSpec, StreamGraph } from './stream-graph.js';

/** The runtime mode the physical plan is made for (`execution.runtime-mode`). */
export type RuntimeMode = 'STREAMING' | 'BATCH';

/** The type of records on an edge or into an operator, by reference (structured-cloneable). */
export interface RecordType {
  /** The type's name, e.g. `TUPLE(STRING, DOUBLE)`, `GENERIC`. */
  readonly name: string;
  /** The StreamGraph node whose declared output type this is; undefined for GENERIC. */
  readonly declaredBy: number | undefined;
}

/** How a keyed aggregation runs. */
export type AggregationImplementation = 'native' | 'js';

/** The physical choices for one StreamGraph node. */
export interface OperatorPhysicalPlan {
  readonly nodeId: number;
  /** Type of the records entering each input (index = input index); [] for sources. */
  readonly inputTypes: readonly RecordType[];
  /** For `aggregate` and `reduce`: native or js; undefined for other operators. */
  readonly implementation: AggregationImplementation | undefined;
}

/** A pre-aggregation in front of a keyed exchange (BATCH only; see native-combiner-operator.ts). */
export interface CombinerPlan {
  readonly aggregation: 'sum' | 'min' | 'max';
  /** The aggregated field (tuple position or row field name). */
  readonly field: number | string;
  /** Key fields (positions). */
  readonly keyFields: readonly number[];
  /** The records it folds (the edge's type). */
  readonly type: RecordType;
}

/** The physical choices for one JobEdge. */
export interface EdgePhysicalPlan {
  /** The type (serializer) of the records on the edge. */
  readonly serializer: RecordType;
  /** The combiner the producer runs in front of the edge, or undefined. */
  readonly combiner: CombinerPlan | undefined;
}

/** The input index of a StreamEdge at its target (0 unless the target has two inputs). */
export function inputIndexOf(edge: { readonly inputIndex?: number | undefined }): number {
  return edge.inputIndex ?? 0;
}

/** The type records have on input `inputIndex` of `nodeId`: the producers' common declared type, else GENERIC. */
export function inputTypeOf(graph: StreamGraph, nodeId: number, inputIndex = 0): TypeInformation<unknown> {
  let common: TypeInformation<unknown> | undefined;
  let first = true;
  for (const edge of graph.edges) {
    if (edge.target !== nodeId || inputIndexOf(edge) !== inputIndex) continue;
    // Side outputs are not typed yet (OutputTag has no TypeInformation): GENERIC.
    const type = edge.sideOutputTag ? undefined : graph.nodes[edge.source]!.outputType;
    if (first) common = type;
    else if (type !== common) return Types.GENERIC;
    first = false;
  }
  return common ?? Types.GENERIC;
}

/** The RecordType of input `inputIndex` of `nodeId` (see {@link inputTypeOf}). */
function inputRecordType(graph: StreamGraph, nodeId: number, inputIndex: number): RecordType {
  const type = inputTypeOf(graph, nodeId, inputIndex);
  if (type === Types.GENERIC) return Object.freeze({ name: Types.GENERIC.name, declaredBy: undefined });
  const producer = graph.edges.find((e) => e.target === nodeId && inputIndexOf(e) === inputIndex)!;
  return Object.freeze({ name: type.name, declaredBy: producer.source });
}

/** The TypeInformation `ref` names in `graph` (the same graph the plan was made from). */
export function resolveRecordType(graph: StreamGraph, ref: RecordType): TypeInformation<unknown> {
  if (ref.declaredBy === undefined) return Types.GENERIC;
  const type = graph.nodes[ref.declaredBy]?.outputType;
  if (!type || type.name !== ref.name) {
    throw errors.internal(`record type ${ref.name} of node ${ref.declaredBy} not found in the rebuilt graph`);
  }
  return type;
}

/** Number of inputs of an operator kind (Flink's one-input / two-input operators). */
export function inputCountOf(op: OperatorSpec): number {
  if (op.kind === 'source') return 0;
  return op.kind === 'coMap' ? 2 : 1;
}

/** Decides, for every node of `graph`, its input types and native or js aggregation. */
export function planOperators(graph: StreamGraph): readonly OperatorPhysicalPlan[] {
  return Object.freeze(
    graph.nodes.map((node) => {
      const inputTypes = Array.from({ length: inputCountOf(node.operator) }, (_, i) => inputRecordType(graph, node.id, i));
      const op = node.operator;
      let implementation: AggregationImplementation | undefined;
      if (op.kind === 'reduce') implementation = 'js';
      if (op.kind === 'aggregate') {
        const type = inputTypeOf(graph, node.id);
        implementation = op.key.kind === 'fields' && type !== Types.GENERIC && isNativeAggregatable(type) ? 'native' : 'js';
      }
      return Object.freeze({ nodeId: node.id, inputTypes: Object.freeze(inputTypes), implementation });
    }),
  );
}

/** Decides the serializer and combiner of `edge`, given the operators' choices and the runtime mode. */
export function planEdge(graph: StreamGraph, edge: JobEdge, operators: readonly OperatorPhysicalPlan[], mode: RuntimeMode): EdgePhysicalPlan {
  const target = edge.streamEdge.target;
  const consumer = operators[target]!;
  const serializer = consumer.inputTypes[inputIndexOf(edge.streamEdge)]!;
  let combiner: CombinerPlan | undefined;
  const op = graph.nodes[target]!.operator;
  if (
    mode === 'BATCH' &&
    edge.partitioner === 'HASH' &&
    consumer.implementation === 'native' &&
    op.kind === 'aggregate' &&
    op.key.kind === 'fields' &&
    op.field !== undefined &&
    (op.aggregation === 'sum' || op.aggregation === 'min' || op.aggregation === 'max')
  ) {
    combiner = Object.freeze({ aggregation: op.aggregation, field: op.field, keyFields: Object.freeze([...op.key.fields]), type: serializer });
  }
  return Object.freeze({ serializer, combiner });
}

/** `sum(1)`, `count()`, `reduce`: how explain and names show an aggregation. */
export function aggregationText(op: OperatorSpec): string {
  if (op.kind === 'reduce') return 'reduce';
  if (op.kind !== 'aggregate') return op.kind;
  return `${op.aggregation}(${op.field === undefined ? '' : String(op.field)})`;
}
