/**
 * A harness for the operator the DataStream API built: the last transformation of a stream
 * (`map`, `filter`, `flatMap`, `process`, `keyBy(...).process`, `reduce`, the aggregations,
 * `assignTimestampsAndWatermarks`, and whatever one-input operator comes next) is instantiated as
 * a task would instantiate it, through the runtime's operator factory, and driven by a harness:
 *
 * ```ts
 * const env = new StreamExecutionEnvironment();
 * const alerts = env.fromElements<Txn>().keyBy((t) => t.account).process(new FraudDetector());
 * const harness = harnessForStream(alerts);   // keyed: the keyBy's selector and key type
 * harness.open();
 * ```
 *
 * Keyed transformations get a keyed harness (the key of the `keyBy`, its declared field type as
 * the key type). Keyed aggregations run on their JS implementation: the native one reads
 * serialized records from channels, which a harness has none of (same results).
 */
import type { DataStream } from '../api/data-stream.js';
import { errors } from '../errors.js';
import { planOperators } from '../graph/physical-plan.js';
import type { KeySpec, StreamGraph, StreamNode } from '../graph/stream-graph.js';
import { ManagedMemory } from '../memory/managed-memory.js';
import type { TaskDeployment } from '../runtime/deployment.js';
import type { OneInputStreamOperator } from '../runtime/operators/one-input-stream-operator.js';
import { createOperator, type ChainContext } from '../runtime/task/build-operator-chain.js';
import { keySelectorOf } from '../runtime/task/key-selector.js';
import { resolveRecordType } from '../graph/physical-plan.js';
import type { TypeInformation } from '../types/type-information.js';
import { Types } from '../types/type-information.js';
import { resolveHarnessOptions, type HarnessOptions } from './harness-options.js';
import { KeyedOneInputStreamOperatorTestHarness } from './keyed-one-input-stream-operator-test-harness.js';
import { OneInputStreamOperatorTestHarness, type OperatorFactory, type OperatorSetup } from './one-input-stream-operator-test-harness.js';

export interface StreamHarnessOptions extends HarnessOptions {
  /** `execution.runtime-mode` the operator is built for (BATCH: aggregations emit finals at `endInput()`); default STREAMING. */
  readonly mode?: 'STREAMING' | 'BATCH';
}

/** A harness (not opened) for the operator that produced `stream`. */
export function harnessForStream<OUT>(stream: DataStream<OUT>, options: StreamHarnessOptions = {}): OneInputStreamOperatorTestHarness<unknown, OUT> {
  const nodeRef = (stream as { node?: StreamNode } | null)?.node;
  if (nodeRef === undefined || typeof (stream as { builder?: unknown }).builder !== 'object') {
    throw errors.invalidArgumentType(
      'harness stream',
      stream,
      'expected the stream an operator returned (e.g. keyBy(...).process(fn) or map(fn)), not a keyed, union or side-output stream',
    );
  }
  const graph = stream.builder.build('Harness');
  const node = graph.nodes[nodeRef.id]!;
  const inputs = graph.edges.filter((e) => e.target === node.id);
  const kind = node.operator.kind;
  if (kind === 'source' || kind === 'sink' || kind === 'coMap' || inputs.length === 0) {
    throw errors.unsupportedOperation(`A one-input harness cannot run '${node.name}' (${kind}): it drives operators with one input, such as map, process or keyBy(...).process.`);
  }
  const name = options.operatorName ?? node.name;
  const factory = operatorFactoryFor(graph, node, options.mode ?? 'STREAMING');
  const key = keyOf(node);
  if (key === undefined) return new OneInputStreamOperatorTestHarness<unknown, OUT>(factory, { ...options, operatorName: name });
  const inputType = inputTypeOf(graph, node);
  return new KeyedOneInputStreamOperatorTestHarness<unknown, unknown, OUT>(factory, keySelectorOf(key, inputType, name), keyTypeOf(key, inputType), { ...options, operatorName: name });
}

/** Builds `node`'s operator with the runtime's factory, from a one-subtask deployment of the harness's parts. */
function operatorFactoryFor(graph: StreamGraph, node: StreamNode, mode: 'STREAMING' | 'BATCH'): OperatorFactory<unknown> {
  const planned = planOperators(graph)[node.id]!;
  // The native aggregation reads serialized slices; a harness hands over values.
  const plan = { nodeId: node.id, inputTypes: [...planned.inputTypes], implementation: planned.implementation === 'native' ? ('js' as const) : planned.implementation };
  return (setup: OperatorSetup) => {
    const { subtask } = setup;
    const deployment: TaskDeployment = {
      vertexId: 0,
      name: `${subtask.taskName} (${subtask.subtaskIndex + 1}/${subtask.parallelism})`,
      subtaskIndex: subtask.subtaskIndex,
      parallelism: subtask.parallelism,
      nodeIds: [node.id],
      operators: [plan],
      maxParallelism: setup.maxParallelism,
      keyGroupRange: setup.keyGroupRange,
      inputs: [],
      outputs: [],
      collect: undefined,
      metricsBlock: -1,
    };
    const context: ChainContext = {
      graph,
      // A single operator writes to its Output only: no network, channels or flusher.
      pool: undefined as never,
      groups: () => {
        throw errors.internal('a harness operator has no channels');
      },
      flushClock: new Int32Array(1),
      managedMemory: ManagedMemory.create(16 << 20),
      mode,
      bufferTimeout: 0,
      processingTime: setup.processingTimeService,
      createKeyedStateBackend: setup.stateBackend ? () => setup.stateBackend! : undefined,
    };
    return createOperator(node, plan, deployment, context, setup.output, true) as OneInputStreamOperator<unknown>;
  };
}

function keyOf(node: StreamNode): KeySpec | undefined {
  const op = node.operator;
  return 'key' in op ? op.key : undefined;
}

function inputTypeOf(graph: StreamGraph, node: StreamNode): TypeInformation<unknown> | undefined {
  const planned = planOperators(graph)[node.id]!;
  const ref = planned.inputTypes[0];
  return ref === undefined ? undefined : resolveRecordType(graph, ref);
}

/** The key's type: a declared field's type for a one-field key, else undefined (GENERIC). */
function keyTypeOf(key: KeySpec, inputType: TypeInformation<unknown> | undefined): TypeInformation<unknown> | undefined {
  if (key.kind !== 'fields' || key.fields.length !== 1 || inputType === undefined || inputType === Types.GENERIC) return undefined;
  const fieldTypes = (inputType as { fieldTypes?: readonly TypeInformation<unknown>[] }).fieldTypes;
  return fieldTypes?.[key.fields[0]!];
}
