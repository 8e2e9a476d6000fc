/**
 * Builds a task's OperatorChain from its deployment: one operator object per chained StreamGraph
 * node, linked through ChainingOutputs, with the tail's output going to the RecordWriters of the
 * task's output edges (each behind the combiner the plan put there, if any) or into the sink.
 * Every choice comes from the deployment (native or js aggregation, serializers, combiners);
 * this file only instantiates them (Flink's OperatorChain constructor with StreamConfig).
 *
 * Layering: runtime/task -> runtime/operators, runtime/sinks, runtime/sources, state, io, graph.
 */
import { AUTO_WATERMARK_INTERVAL, STATE_BACKEND_TYPE } from '../../config/config-options.js';
import { errors } from '../../errors.js';
import { resolveRecordType } from '../../graph/physical-plan.js';
import type { StreamGraph, StreamNode } from '../../graph/stream-graph.js';
import type { ChannelGroup } from '../../io/channel-group.js';
import { ChannelProducer } from '../../io/channel-producer.js';
import { BroadcastPartitioner } from '../../io/partitioner/broadcast-partitioner.js';
import type { ChannelSelector } from '../../io/partitioner/channel-selector.js';
import { ForwardPartitioner } from '../../io/partitioner/forward-partitioner.js';
import { GlobalPartitioner } from '../../io/partitioner/global-partitioner.js';
import { KeyGroupStreamPartitioner } from '../../io/partitioner/key-group-stream-partitioner.js';
import { RebalancePartitioner } from '../../io/partitioner/rebalance-partitioner.js';
import { RescalePartitioner } from '../../io/partitioner/rescale-partitioner.js';
import { ShufflePartitioner } from '../../io/partitioner/shuffle-partitioner.js';
import { RecordWriter, type OutputAvailability } from '../../io/record-writer.js';
import type { ManagedMemory } from '../../memory/managed-memory.js';
import type { NetworkBufferPool } from '../../memory/network-buffer-pool.js';
import { JsKeyedAggregation } from '../../state/js-keyed-aggregation.js';
import { JsKeyedReduce } from '../../state/js-keyed-reduce.js';
import type { JsKey } from '../../state/js-keyed-state.js';
import type { KeyedStateBackend, KeyedStateBackendOptions, StateBackendType } from '../../state/keyed-state-backend.js';
import { KeyedStateBackends } from '../../state/keyed-state-backends.js';
import { NativeKeyedStateBackend } from '../../state/native-keyed-state-backend.js';
import { Types, type TypeInformation } from '../../types/type-information.js';
import type { TypeSerializer } from '../../types/type-serializer.js';
import type { OperatorDeployment, OutputDeployment, TaskDeployment } from '../deployment.js';
import { BroadcastingOutput, DISCARDING_OUTPUT } from '../operators/broadcasting-output.js';
import { chainingOutputOf } from '../operators/chaining-output.js';
import { CoStreamMap } from '../operators/co-stream-map.js';
import { CollectSinkOperator } from '../operators/collect-sink-operator.js';
import { KeyedAggregationOperator } from '../operators/keyed-aggregation-operator.js';
import { NativeCombinerOperator } from '../operators/native-combiner-operator.js';
import { NativeKeyedAggregationOperator } from '../operators/native-keyed-aggregation-operator.js';
import type { OneInputStreamOperator } from '../operators/one-input-stream-operator.js';
import { OperatorChain } from '../operators/operator-chain.js';
import type { Output } from '../operators/output.js';
import { RecordWriterOutput } from '../operators/record-writer-output.js';
import { SinkOperator } from '../operators/sink-operator.js';
import { SourceOperator } from '../operators/source-operator.js';
import { StreamFilter } from '../operators/stream-filter.js';
import { StreamFlatMap } from '../operators/stream-flat-map.js';
import { StreamMap } from '../operators/stream-map.js';
import { TimestampsAndWatermarksOperator } from '../operators/timestamps-and-watermarks-operator.js';
import type { WatermarkTiming } from '../operators/timestamps-and-watermarks.js';
import { KeyedProcessOperator } from '../operators/keyed-process-operator.js';
import { ProcessOperator } from '../operators/process-operator.js';
import type { RichFunctionBinding } from '../operators/rich-function-lifecycle.js';
import { StreamingRuntimeContext, type SubtaskInfo } from '../operators/streaming-runtime-context.js';
import type { RichFunction } from '../../functions/rich-function.js';
import type { StreamOperator } from '../operators/stream-operator.js';
import { createSinkWriter } from '../sinks/sink-writer.js';
import type { ProcessingTimeService } from '../time/processing-time-service.js';
import { createSourceReader } from '../sources/source-reader.js';
import { keySelectorOf, keyTypeOf } from './key-selector.js';
import { SequentialSink } from './sequential-sink.js';

/** What of the task's slot building a chain needs. */
export interface ChainContext {
  graph: StreamGraph;
  pool: NetworkBufferPool;
  groups: (buffer: SharedArrayBuffer) => ChannelGroup;
  managedMemory: ManagedMemory;
  flushClock: Int32Array;
  mode: 'STREAMING' | 'BATCH';
  bufferTimeout: number;
  /** The task's processing time and timers, shared by its operators. */
  processingTime: ProcessingTimeService;
  /** `pipeline.auto-watermark-interval` in ms (0: no periodic watermarks); the option's default when unset. */
  autoWatermarkInterval?: number | undefined;
  /** `state.backend.type` (which backend keyed state lives in); the option's default when unset. */
  stateBackendType?: StateBackendType | undefined;
  /** How many times the job was restarted before this run (RuntimeContext's attempt number); 0 when absent. */
  attemptNumber?: number;
  /** Makes the keyed state backend of a keyed operator instead of the default (the test harness keeps its own, to snapshot it). */
  createKeyedStateBackend?: ((options: KeyedStateBackendOptions) => KeyedStateBackend) | undefined;
}

/** A task's operators and the parts of its output the task drives itself. */
export interface BuiltChain {
  chain: OperatorChain;
  /** The writers of the output edges (and of a collect sink), closed by the task at its end. */
  writers: RecordWriter<unknown>[];
  /** The sink operator of a print/text/custom sink task, flushed by the task when idle. */
  sink: SinkOperator | undefined;
}

/**
 * Builds the chain of `deployment`. `wait` receives every promise the task must wait for before
 * its next record (a back-pressured or async sink).
 */
export function buildOperatorChain(
  deployment: TaskDeployment,
  context: ChainContext,
  availability: OutputAvailability,
  wait: (pending: Promise<unknown>) => void,
): BuiltChain {
  const { graph } = context;
  const nodes = deployment.nodeIds.map((id) => graph.nodes[id]!);
  const tail = nodes[nodes.length - 1]!;
  const writers: RecordWriter<unknown>[] = [];
  const writer = (channels: ChannelProducer[], serializer: TypeSerializer<unknown>, selector: ChannelSelector<unknown>, localPool: number) => {
    const w = new RecordWriter<unknown>({
      pool: context.pool,
      localPool,
      channels,
      serializer,
      selector,
      bufferTimeout: context.bufferTimeout,
      flushClock: context.flushClock,
      availability,
    });
    writers.push(w);
    return w;
  };

  // After the tail: the output edges (behind their combiners), or the sink as the last operator.
  const operators: StreamOperator[] = [];
  const afterTail: StreamOperator[] = [];
  let sink: SinkOperator | undefined;
  let output: Output;
  let last = nodes.length - 1;
  if (tail.operator.kind === 'sink') {
    let sinkOperator: OneInputStreamOperator;
    if (tail.operator.sink.kind === 'collect') {
      const collect = deployment.collect!;
      const channels = [new ChannelProducer(context.groups(collect.group), collect.ring)];
      const serializer = resolveRecordType(graph, collect.serializer).createSerializer();
      sinkOperator = new CollectSinkOperator(tail.name, writer(channels, serializer, new ForwardPartitioner(), collect.localPool));
    } else {
      const sub = { subtaskIndex: deployment.subtaskIndex, parallelism: deployment.parallelism, textFile: deployment.textFile };
      sink = new SinkOperator(new SequentialSink(createSinkWriter(tail.operator.sink, sub), tail.name, context.bufferTimeout, context.flushClock), wait);
      sinkOperator = sink;
    }
    operators.unshift(sinkOperator);
    output = chainingOutputOf(sinkOperator, chainedEdgeTag(graph, nodes, last));
    last--;
  } else {
    const outputs = deployment.outputs.map((o) => {
      const edge = graph.edges[o.streamEdgeIndex]!;
      const key = edge.key ? keySelectorOf(edge.key, tail.outputType, graph.nodes[edge.target]!.name) : undefined;
      const channels = o.channels.map((c) => new ChannelProducer(context.groups(c.group), c.ring));
      const serializer = resolveRecordType(graph, o.serializer).createSerializer();
      const toWriter = new RecordWriterOutput(writer(channels, serializer, selectorFor(o, key), o.localPool), edge.sideOutputTag);
      if (!o.combiner) return toWriter;
      const combiner = combinerFor(o, graph.nodes[edge.target]!, context, availability, toWriter);
      afterTail.push(combiner);
      return chainingOutputOf(combiner);
    });
    output = outputs.length === 1 ? outputs[0]! : outputs.length === 0 ? DISCARDING_OUTPUT : new BroadcastingOutput(outputs);
  }

  // The chained operators, from the tail back to the head, each feeding the one after it.
  for (let i = last; i >= 0; i--) {
    const operator = createOperator(nodes[i]!, deployment.operators[i]!, deployment, context, output, i === 0);
    operators.unshift(operator);
    if (i > 0) output = chainingOutputOf(operator as OneInputStreamOperator, chainedEdgeTag(graph, nodes, i));
  }
  return { chain: new OperatorChain([...operators, ...afterTail]), writers, sink };
}

/** The side output the chained edge into `nodes[index]` carries (undefined: the main output). */
function chainedEdgeTag(graph: StreamGraph, nodes: readonly StreamNode[], index: number) {
  if (index === 0) return undefined;
  const from = nodes[index - 1]!.id;
  const to = nodes[index]!.id;
  return graph.edges.find((e) => e.source === from && e.target === to)?.sideOutputTag;
}

/**
 * The keyed state of a keyed function operator: the facade that routes each state by
 * `state.backend.type`, with the native backend charged to the slot's managed memory. `keyType`
 * is the declared key type (keyBy on fields of a declared type), undefined for a key selector.
 */
function keyedStateBackendFor(name: string, keyType: TypeInformation<unknown> | undefined, deployment: TaskDeployment, context: ChainContext): KeyedStateBackend {
  const managedMemory = context.managedMemory;
  const options: KeyedStateBackendOptions = {
    operatorName: `${name} (${deployment.subtaskIndex + 1}/${deployment.parallelism})`,
    maxParallelism: deployment.maxParallelism,
    keyGroupRange: deployment.keyGroupRange!,
    keyType,
    currentProcessingTime: () => context.processingTime.getCurrentProcessingTime(),
  };
  return (
    context.createKeyedStateBackend?.(options) ??
    new KeyedStateBackends({
      ...options,
      type: context.stateBackendType ?? STATE_BACKEND_TYPE.defaultValue,
      createNative: (nativeOptions) => new NativeKeyedStateBackend({ ...nativeOptions, managedMemory }),
    })
  );
}

/** Which parallel instance `deployment` is, for RuntimeContext.getTaskInfo(). */
function subtaskInfoOf(deployment: TaskDeployment, context: ChainContext): SubtaskInfo {
  return {
    taskName: deployment.name.replace(/ \(\d+\/\d+\)$/, ''),
    subtaskIndex: deployment.subtaskIndex,
    parallelism: deployment.parallelism,
    maxParallelism: deployment.maxParallelism,
    attemptNumber: context.attemptNumber ?? 0,
  };
}

/** The rich function of an operator with the runtime context it opens with (no keyed state). */
function richBinding(rich: RichFunction | undefined, name: string, deployment: TaskDeployment, context: ChainContext): RichFunctionBinding | undefined {
  return rich === undefined ? undefined : { fn: rich, context: new StreamingRuntimeContext(subtaskInfoOf(deployment, context), undefined, name) };
}

/** The operator object for `node`, as the plan chose it (`plan`); also the test harness's way to build an operator of the API. */
export function createOperator(node: StreamNode, plan: OperatorDeployment, deployment: TaskDeployment, context: ChainContext, output: Output, isHead: boolean): StreamOperator {
  const op = node.operator;
  const name = node.name;
  switch (op.kind) {
    case 'source': {
      const reader = createSourceReader(op.source, { subtaskIndex: deployment.subtaskIndex, parallelism: deployment.parallelism });
      const readsMarkers = op.source.kind === 'custom';
      const eventTime = op.watermarkStrategy || readsMarkers ? { strategy: op.watermarkStrategy, readsMarkers, timing: watermarkTiming(context) } : undefined;
      return new SourceOperator(name, reader, output, eventTime);
    }
    case 'timestampsAndWatermarks':
      return new TimestampsAndWatermarksOperator(name, op.strategy, watermarkTiming(context), output);
    case 'map':
      return new StreamMap(name, op.fn, output, richBinding(op.rich, name, deployment, context));
    case 'filter':
      return new StreamFilter(name, op.fn, output, richBinding(op.rich, name, deployment, context));
    case 'flatMap':
      return new StreamFlatMap(name, op.fn, output, richBinding(op.rich, name, deployment, context));
    case 'process':
      return new ProcessOperator(name, op.fn, { processingTimeService: context.processingTime, subtask: subtaskInfoOf(deployment, context) }, output);
    case 'keyedProcess': {
      if (!deployment.keyGroupRange) throw errors.internal(`keyed operator '${name}' was deployed without a key-group range`);
      const inputType = resolveRecordType(context.graph, plan.inputTypes[0]!);
      const options = {
        keySelector: keySelectorOf(op.key, inputType, name),
        maxParallelism: deployment.maxParallelism,
        keyGroupRange: deployment.keyGroupRange,
        processingTimeService: context.processingTime,
        stateBackend: keyedStateBackendFor(name, keyTypeOf(op.key, inputType), deployment, context),
        subtask: subtaskInfoOf(deployment, context),
      };
      return new KeyedProcessOperator(name, op.fn as never, options, output);
    }
    case 'coMap':
      return new CoStreamMap(name, op.fn1, op.fn2, output);
    case 'aggregate':
    case 'reduce': {
      const inputType = resolveRecordType(context.graph, plan.inputTypes[0]!);
      const common = { mode: context.mode, maxParallelism: deployment.maxParallelism };
      if (plan.implementation === 'native') {
        if (op.kind !== 'aggregate' || op.key.kind !== 'fields' || !isHead) {
          throw errors.internal(`operator '${name}' was planned native but is not a chain head keyed by fields`);
        }
        const options = {
          ...common,
          type: inputType,
          keyFields: op.key.fields,
          aggregation: op.aggregation,
          field: op.field,
          managedMemory: context.managedMemory,
          operatorName: `${name} (${deployment.subtaskIndex + 1}/${deployment.parallelism})`,
        };
        return new NativeKeyedAggregationOperator(name, options, node.outputType ?? Types.GENERIC, output);
      }
      const keySelector = keySelectorOf(op.key, inputType, name) as (record: unknown) => JsKey;
      const state = { ...common, operatorName: name, keySelector };
      return new KeyedAggregationOperator(
        name,
        op.kind === 'reduce'
          ? (emit) => new JsKeyedReduce<unknown, JsKey>({ ...state, emit, reduce: op.fn })
          : (emit) => new JsKeyedAggregation({ ...state, emit, aggregation: op.aggregation, field: op.field }),
        output,
        op.kind === 'reduce' ? richBinding(op.rich, name, deployment, context) : undefined,
      );
    }
    case 'sink':
      throw errors.internal(`sink '${name}' in the middle of a chain`);
  }
}

/** When the task's event-time operators emit watermarks on their own. */
function watermarkTiming(context: ChainContext): WatermarkTiming {
  return {
    processingTime: context.processingTime,
    autoWatermarkInterval: context.autoWatermarkInterval ?? AUTO_WATERMARK_INTERVAL.defaultValue,
    emitProgressiveWatermarks: context.mode === 'STREAMING',
  };
}

/** The combiner the plan put in front of output `o` (into the aggregation `consumer`). */
function combinerFor(
  o: OutputDeployment,
  consumer: StreamNode,
  context: ChainContext,
  outputAvailability: OutputAvailability,
  output: Output,
): NativeCombinerOperator {
  const c = o.combiner!;
  return new NativeCombinerOperator(
    {
      type: resolveRecordType(context.graph, c.type),
      keyFields: c.keyFields,
      aggregation: c.aggregation,
      field: c.field,
      maxParallelism: o.consumerMaxParallelism,
      managedMemory: context.managedMemory,
      operatorName: consumer.name,
      outputAvailability,
    },
    output,
  );
}

/** The channel selector of an output edge. */
function selectorFor(output: OutputDeployment, keySelector: ((record: unknown) => unknown) | undefined): ChannelSelector<unknown> {
  switch (output.partitioner) {
    case 'FORWARD':
      return new ForwardPartitioner();
    case 'REBALANCE':
      return new RebalancePartitioner();
    case 'RESCALE':
      return new RescalePartitioner();
    case 'SHUFFLE':
      return new ShufflePartitioner();
    case 'BROADCAST':
      return new BroadcastPartitioner();
    case 'GLOBAL':
      return new GlobalPartitioner();
    case 'HASH':
      if (!keySelector) throw errors.internal('a HASH edge without a key');
      return new KeyGroupStreamPartitioner(keySelector, output.consumerMaxParallelism);
  }
}
