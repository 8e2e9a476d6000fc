/**
 * The ExecutionPlan: the JobGraph expanded into subtasks, slots, channels and buffer pools (what
 * Flink's ExecutionGraph and the TaskManager's slot table decide), computed before any thread
 * starts so an impossible job fails at submission. Pure: no I/O, no threads.
 *
 * ## Slots (Flink's slot sharing)
 * A slot hosts one subtask of every task of its slot sharing group, so group g needs
 * max(parallelism of its tasks) slots. Groups are laid out one after another in order of first
 * appearance (by vertex id); subtask i of a task in group g runs in slot `offset(g) + i`.
 * When `taskmanager.numberOfTaskSlots` is not set the TaskManager gets exactly the slots the job
 * needs (Flink's per-job MiniCluster uses the job's highest parallelism instead, which does not
 * suffice for several slot sharing groups); a value that is set is a hard limit.
 *
 * ## Channels
 * For every JobEdge, producer subtask p is connected to a set of consumer subtasks:
 * - ALL_TO_ALL (REBALANCE, SHUFFLE, BROADCAST, GLOBAL, HASH): every consumer;
 * - POINTWISE (FORWARD, RESCALE), as Flink's `EdgeManagerBuildUtil.connectPointwise`:
 *   P == C: p -> p; P > C: consumer c reads producers [c*P/C, (c+1)*P/C); P < C: producer p
 *   feeds consumers [ceil(p*C/P), ceil((p+1)*C/P)).
 * Two views of the same wiring:
 * - writer view: producer p's output partition for an edge has one channel per connected
 *   consumer, ascending by consumer index; channel k is what the partitioner's `selectChannel`
 *   returns;
 * - reader view: consumer c's input channels are ordered by input edge (vertex.inputs order),
 *   then by producer index; input channel r is ring r of c's channel group.
 * Each OutputChannel names its consumer and ring index; each InputChannel names its producer and
 * output channel index, so the runtime can wire either side without searching.
 *
 * ## Buffers
 * One local pool per producer subtask and output edge, sized by `producerPoolSize(channels)`.
 * strom's consumers read the producer's buffers in place (Flink's LocalInputChannel), so input
 * gates need no pools. The minimums must fit the network buffer pool (`checkNetworkMemoryFor`).
 *
 * ## Physical choices
 * Record types (serializers), native or js aggregation and combiners: physical-plan.ts decides
 * them here, so they travel in the deployment and `strom explain` shows them.
 *
 * Layering: depends on job-graph, physical-plan, ../config (network memory), ../io (key groups), ../errors.
 */

import { type NetworkMemoryConfig, type PoolSize, checkNetworkMemoryFor, producerPoolSize } from '../config/network-memory-config.js';
import { errors } from '../errors.js';
import { type KeyGroupRange, computeKeyGroupRangeForOperatorIndex } from '../io/key-group-assignment.js';
import type { JobEdge, JobGraph, JobVertex } from './job-graph.js';
import { type EdgePhysicalPlan, inputIndexOf, type OperatorPhysicalPlan, planEdge, planOperators, type RuntimeMode } from './physical-plan.js';
import type { PartitionerKind } from './stream-graph.js';

/** Options of {@link createExecutionPlan}. */
export interface ExecutionPlanOptions {
  /**
   * Task slots of the TaskManager (`taskmanager.numberOfTaskSlots`), a positive integer; or
   * undefined when the key is not set: the TaskManager is started for this one job and gets the
   * slots the job needs (as Flink's per-job MiniCluster sets the slots from the job).
   */
  readonly numberOfTaskSlots: number | undefined;
  /** Resolved network memory (`resolveNetworkMemory`). */
  readonly network: NetworkMemoryConfig;
  /** `execution.runtime-mode`: BATCH may insert combiners (physical-plan.ts). Default STREAMING. */
  readonly mode?: RuntimeMode;
}

/** How producer and consumer subtasks of an edge are connected (Flink's DistributionPattern). */
export type DistributionPattern = 'ALL_TO_ALL' | 'POINTWISE';

/** One channel of a producer's output partition (writer view). */
export interface OutputChannel {
  /** Consumer subtask index (within the target vertex). */
  readonly consumerSubtask: number;
  /** Index of this channel among the consumer's input channels (its ring index). */
  readonly inputChannelIndex: number;
}

/** A producer subtask's output for one JobEdge: a record writer with its channels and local pool. */
export interface OutputPartition {
  /** Index of the JobEdge (`JobGraph.edges`). */
  readonly edgeIndex: number;
  readonly partitioner: PartitionerKind;
  /** Channels in channel-index order (ascending consumer subtask). */
  readonly channels: readonly OutputChannel[];
  /** Local buffer pool bounds for this partition, in segments. */
  readonly pool: PoolSize;
}

/** One input channel of a consumer subtask (reader view); its position is the ring index. */
export interface InputChannel {
  /** Index of the JobEdge (`JobGraph.edges`). */
  readonly edgeIndex: number;
  /** Producer subtask index (within the source vertex). */
  readonly producerSubtask: number;
  /** Index of this channel in the producer's output partition for that edge. */
  readonly outputChannelIndex: number;
  /** Which input of the consumer's head the channel feeds (0, or 1 for a two-input operator's second). */
  readonly inputIndex: number;
}

/** One parallel instance of a task. */
export interface SubtaskPlan {
  readonly vertexId: number;
  /** 0-based subtask index. */
  readonly index: number;
  /** Flink-style display name, e.g. `Map -> Filter (1/2)` (1-based). */
  readonly name: string;
  /** Slot the subtask runs in. */
  readonly slot: number;
  /** Key groups owned by the subtask (inclusive), for keyed vertices; undefined otherwise. */
  readonly keyGroupRange: KeyGroupRange | undefined;
  /** One output partition per output edge of the vertex, in `vertex.outputs` order. */
  readonly outputs: readonly OutputPartition[];
  /** Input channels in ring order (by input edge, then producer subtask). */
  readonly inputChannels: readonly InputChannel[];
}

/** A vertex with its subtasks. */
export interface VertexPlan {
  readonly vertex: JobVertex;
  readonly subtasks: readonly SubtaskPlan[];
}

/** A JobEdge with its connection pattern and physical choices (serializer, combiner). */
export interface EdgePlan extends EdgePhysicalPlan {
  readonly edge: JobEdge;
  readonly pattern: DistributionPattern;
  /** Producer -> consumer connections over all producer subtasks. */
  readonly numberOfChannels: number;
  /** For each producer subtask, its consumer subtasks in channel order. */
  readonly consumersOf: readonly (readonly number[])[];
}

/** A slot sharing group and the slots it occupies: `[offset, offset + slots)`. */
export interface SlotSharingGroupPlan {
  readonly name: string;
  /** First slot of the group. */
  readonly offset: number;
  /** Slots the group needs: the highest parallelism of its vertices. */
  readonly slots: number;
  readonly vertexIds: readonly number[];
}

/** Sums over the whole plan. */
export interface PlanTotals {
  /** Slots required (sum over slot sharing groups). */
  readonly slots: number;
  /** Slots of the TaskManager: configured (`taskmanager.numberOfTaskSlots`), or sized to the job. */
  readonly availableSlots: number;
  /** True when `taskmanager.numberOfTaskSlots` was not set and the slots were sized to the job. */
  readonly slotsSizedToJob: boolean;
  /** Subtasks over all vertices. */
  readonly subtasks: number;
  /** Producer -> consumer channels over all edges. */
  readonly channels: number;
  /** Network segments the producer pools require at minimum. */
  readonly requiredSegments: number;
  /** Network segments the producer pools may grow to. */
  readonly maxSegments: number;
  /** Segments in the network buffer pool. */
  readonly availableSegments: number;
}

/** Everything decided before the job starts. */
export interface ExecutionPlan {
  readonly jobGraph: JobGraph;
  readonly network: NetworkMemoryConfig;
  readonly slotSharingGroups: readonly SlotSharingGroupPlan[];
  /** Indexed by vertex id. */
  readonly vertices: readonly VertexPlan[];
  /** Indexed by JobEdge index. */
  readonly edges: readonly EdgePlan[];
  /** Physical choices per operator (input types, native or js aggregation), indexed by StreamGraph node id. */
  readonly operators: readonly OperatorPhysicalPlan[];
  readonly mode: RuntimeMode;
  readonly totals: PlanTotals;
}

/** ALL_TO_ALL or POINTWISE, as Flink's StreamingJobGraphGenerator picks for a partitioner. */
export function distributionPatternOf(partitioner: PartitionerKind): DistributionPattern {
  return partitioner === 'FORWARD' || partitioner === 'RESCALE' ? 'POINTWISE' : 'ALL_TO_ALL';
}

/**
 * Consumers of each producer subtask (ascending), for `producers` -> `consumers` subtasks.
 * POINTWISE mirrors Flink's `EdgeManagerBuildUtil.connectPointwise`.
 */
export function connectSubtasks(pattern: DistributionPattern, producers: number, consumers: number): number[][] {
  const result: number[][] = Array.from({ length: producers }, () => []);
  if (pattern === 'ALL_TO_ALL') {
    for (const list of result) for (let c = 0; c < consumers; c++) list.push(c);
  } else if (producers === consumers) {
    result.forEach((list, p) => list.push(p));
  } else if (producers > consumers) {
    for (let c = 0; c < consumers; c++) {
      const start = Math.floor((c * producers) / consumers);
      const end = Math.floor(((c + 1) * producers) / consumers);
      for (let p = start; p < end; p++) result[p]!.push(c);
    }
  } else {
    for (let p = 0; p < producers; p++) {
      const start = Math.floor((p * consumers + producers - 1) / producers);
      const end = Math.floor(((p + 1) * consumers + producers - 1) / producers);
      for (let c = start; c < end; c++) result[p]!.push(c);
    }
  }
  return result;
}

/**
 * Expands `jobGraph` into subtasks, slots, channels and buffer pools.
 * @throws InsufficientSlotsError when the slot sharing groups need more slots than configured.
 * @throws InsufficientNetworkBuffersError when the producer pools' minimums exceed network memory.
 * @throws RangeError for a bad `numberOfTaskSlots`.
 */
export function createExecutionPlan(jobGraph: JobGraph, options: ExecutionPlanOptions): ExecutionPlan {
  const { numberOfTaskSlots, network } = options;
  const mode = options.mode ?? 'STREAMING';
  if (numberOfTaskSlots !== undefined && (!Number.isInteger(numberOfTaskSlots) || numberOfTaskSlots < 1)) {
    throw errors.argumentOutOfRange('numberOfTaskSlots', numberOfTaskSlots, 'expected a positive integer');
  }

  const slotSharingGroups = planSlots(jobGraph.vertices, numberOfTaskSlots);
  const requiredSlots = slotSharingGroups.reduce((n, g) => n + g.slots, 0);
  const groupOffset = new Map(slotSharingGroups.map((g) => [g.name, g.offset]));

  const operators = planOperators(jobGraph.streamGraph);
  const edges: EdgePlan[] = jobGraph.edges.map((edge) => {
    const pattern = distributionPatternOf(edge.partitioner);
    const consumersOf = connectSubtasks(pattern, jobGraph.vertices[edge.source]!.parallelism, jobGraph.vertices[edge.target]!.parallelism);
    const numberOfChannels = consumersOf.reduce((n, list) => n + list.length, 0);
    const physical = planEdge(jobGraph.streamGraph, edge, operators, mode);
    return Object.freeze({ edge, pattern, numberOfChannels, consumersOf: Object.freeze(consumersOf.map((l) => Object.freeze(l))), ...physical });
  });

  // Reader view first: ring index of (edge, producer) in each consumer, and the inverse map
  // ringIndex[edge][producer][channel] used by the writer view.
  const inputChannels: InputChannel[][][] = jobGraph.vertices.map((v) => Array.from({ length: v.parallelism }, () => []));
  const ringIndex: number[][][] = edges.map((e) => e.consumersOf.map((list) => new Array<number>(list.length)));
  for (const vertex of jobGraph.vertices) {
    for (const edgeIndex of vertex.inputs) {
      const { consumersOf, edge } = edges[edgeIndex]!;
      const inputIndex = inputIndexOf(edge.streamEdge);
      consumersOf.forEach((consumers, producerSubtask) => {
        consumers.forEach((consumer, outputChannelIndex) => {
          const channels = inputChannels[vertex.id]![consumer]!;
          ringIndex[edgeIndex]![producerSubtask]![outputChannelIndex] = channels.length;
          channels.push(Object.freeze({ edgeIndex, producerSubtask, outputChannelIndex, inputIndex }));
        });
      });
    }
  }

  const poolSizes: number[] = [];
  let requiredSegments = 0;
  let maxSegments = 0;
  let totalSubtasks = 0;
  const vertices: VertexPlan[] = jobGraph.vertices.map((vertex) => {
    const subtasks: SubtaskPlan[] = [];
    for (let index = 0; index < vertex.parallelism; index++) {
      const outputs = vertex.outputs.map((edgeIndex): OutputPartition => {
        const consumers = edges[edgeIndex]!.consumersOf[index]!;
        const channels = consumers.map((consumerSubtask, k) => Object.freeze({ consumerSubtask, inputChannelIndex: ringIndex[edgeIndex]![index]![k]! }));
        const pool = producerPoolSize(channels.length, network);
        poolSizes.push(channels.length);
        requiredSegments += pool.min;
        maxSegments += pool.max;
        return Object.freeze({ edgeIndex, partitioner: jobGraph.edges[edgeIndex]!.partitioner, channels: Object.freeze(channels), pool: Object.freeze(pool) });
      });
      subtasks.push(
        Object.freeze({
          vertexId: vertex.id,
          index,
          name: `${vertex.name} (${index + 1}/${vertex.parallelism})`,
          slot: groupOffset.get(vertex.slotSharingGroup)! + index,
          keyGroupRange: vertex.keyed ? computeKeyGroupRangeForOperatorIndex(vertex.maxParallelism, vertex.parallelism, index) : undefined,
          outputs: Object.freeze(outputs),
          inputChannels: Object.freeze(inputChannels[vertex.id]![index]!),
        }),
      );
    }
    totalSubtasks += subtasks.length;
    return Object.freeze({ vertex, subtasks: Object.freeze(subtasks) });
  });

  // Fails with Flink's "Insufficient number of network buffers" message.
  checkNetworkMemoryFor(poolSizes, network);

  const totals: PlanTotals = Object.freeze({
    slots: requiredSlots,
    availableSlots: numberOfTaskSlots ?? requiredSlots,
    slotsSizedToJob: numberOfTaskSlots === undefined,
    subtasks: totalSubtasks,
    channels: edges.reduce((n, e) => n + e.numberOfChannels, 0),
    requiredSegments,
    maxSegments,
    availableSegments: network.numSegments,
  });

  return Object.freeze({
    jobGraph,
    network,
    slotSharingGroups,
    vertices: Object.freeze(vertices),
    edges: Object.freeze(edges),
    operators,
    mode,
    totals,
  });
}

function planSlots(vertices: readonly JobVertex[], numberOfTaskSlots: number | undefined): readonly SlotSharingGroupPlan[] {
  const groups = new Map<string, { slots: number; vertexIds: number[] }>();
  for (const v of vertices) {
    const group = groups.get(v.slotSharingGroup);
    if (group) {
      group.slots = Math.max(group.slots, v.parallelism);
      group.vertexIds.push(v.id);
    } else {
      groups.set(v.slotSharingGroup, { slots: v.parallelism, vertexIds: [v.id] });
    }
  }
  let offset = 0;
  const result: SlotSharingGroupPlan[] = [];
  for (const [name, g] of groups) {
    result.push(Object.freeze({ name, offset, slots: g.slots, vertexIds: Object.freeze(g.vertexIds) }));
    offset += g.slots;
  }
  if (numberOfTaskSlots !== undefined && offset > numberOfTaskSlots) {
    const detail = result.map((g) => `slot sharing group '${g.name}' needs ${g.slots}`).join(', ');
    throw errors.insufficientSlots(offset, numberOfTaskSlots, `(${detail}: a group needs the highest parallelism of its tasks.) `);
  }
  return Object.freeze(result);
}
