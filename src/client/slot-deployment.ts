/**
 * How an execution attempt lays out a planned job on a TaskManager: one SlotRequest per slot
 * with its subtasks' deployments, the channel groups (one input group per slot, one group per
 * collect() sink), the local pools of every output on the TaskManager's network memory, and the
 * metrics blocks. Only builds; the attempt runs the slots and gives all of it back.
 */
import { resolve } from 'node:path';
import { moduleUrl, type JobDefinition } from '../api/define-job.js';
import { errors } from '../errors.js';
import { resolveRecordType } from '../graph/physical-plan.js';
import { fingerprint } from '../graph/stream-graph.js';
import { ChannelGroup } from '../io/channel-group.js';
import type { NetworkBufferPool } from '../memory/network-buffer-pool.js';
import type { SlotRequest, TaskDeployment } from '../runtime/deployment.js';
import type { TaskMetricsSource } from '../runtime/metrics/metrics-reader.js';
import type { FileOutputCommitter } from '../runtime/sinks/file-output-committer.js';
import type { TypeInformation } from '../types/type-information.js';
import type { ExecuteOptions } from './execute-options.js';
import type { PlannedJob } from './plan-job.js';

/** The main thread's handle on records sent by `collect()` sinks. */
export interface CollectReader {
  /** Typed reader over the collect channels (one per collect-sink subtask). */
  group: ChannelGroup;
  type: TypeInformation<unknown>;
  pool: NetworkBufferPool;
}

/** A slot's request before its control port is made (one per run). */
export type PreparedSlot = Omit<SlotRequest, 'controlPort'>;

/** What the slots are deployed from. */
export interface SlotDeploymentInput {
  job: JobDefinition;
  options: ExecuteOptions;
  planned: PlannedJob;
  /** The TaskManager's network memory, managed memory and flusher clock. */
  pool: NetworkBufferPool;
  managedMemory: SharedArrayBuffer;
  flushClock: SharedArrayBuffer;
  /** The attempt's control words and metrics memory (undefined: metrics off). */
  control: SharedArrayBuffer;
  metrics: SharedArrayBuffer | undefined;
  /** Names the writeAsText sinks' in-progress files. */
  output: FileOutputCommitter;
}

/** What the deployment makes, owned by the attempt. */
export interface SlotResources {
  groups: ChannelGroup[];
  localPools: number[];
  collects: CollectReader[];
  metricsSources: TaskMetricsSource[];
}

/** One slot's channels rings hold this many entries at least. */
const MIN_RING_CAPACITY = 16;

/**
 * Builds one request per slot: channel groups, local pools and task deployments. What it makes
 * goes into `into` as it is made, so that a failure midway (too few network buffers) leaves the
 * caller what to give back.
 */
export function deploySlots(input: SlotDeploymentInput, into: SlotResources): PreparedSlot[] {
  const { job, options, pool, output } = input;
  const { plan, graph, config } = input.planned;
  const network = plan.network;
  const track = (group: ChannelGroup): ChannelGroup => {
    into.groups.push(group);
    return group;
  };
  const createLocalPool = (channels: number): number => {
    const id = pool.createLocalPool(channels, network.buffersPerChannel, network.floatingBuffersPerGate, network.maxBuffersPerChannel);
    into.localPools.push(id);
    return id;
  };
  const capacity = Math.max(MIN_RING_CAPACITY, 1 << Math.ceil(Math.log2(network.maxBuffersPerChannel * 2)));
  const slots = plan.totals.slots;
  // Each slot's input group holds the input rings of all its subtasks, in subtask order.
  const ringBase = new Map<string, number>(); // "vertex/subtask" -> first ring in its slot's group
  const ringsPerSlot = new Array<number>(slots).fill(0);
  for (const vertex of plan.vertices) {
    for (const sub of vertex.subtasks) {
      ringBase.set(`${sub.vertexId}/${sub.index}`, ringsPerSlot[sub.slot]!);
      ringsPerSlot[sub.slot]! += sub.inputChannels.length;
    }
  }
  const slotGroups = ringsPerSlot.map((n) => (n > 0 ? track(ChannelGroup.create(n, capacity)) : undefined));

  // collect() sinks: one main-thread group per collect sink, one ring per sink subtask.
  const collectGroups = new Map<number, ChannelGroup>();
  for (const vertex of plan.vertices) {
    const tail = graph.nodes[vertex.vertex.nodeIds[vertex.vertex.nodeIds.length - 1]!]!;
    if (tail.operator.kind !== 'sink' || tail.operator.sink.kind !== 'collect') continue;
    const group = track(ChannelGroup.create(vertex.vertex.parallelism, capacity));
    collectGroups.set(vertex.vertex.id, group);
    const type = resolveRecordType(graph, plan.operators[tail.id]!.inputTypes[0]!);
    into.collects.push({ group, type, pool });
  }

  const tasksPerSlot: TaskDeployment[][] = Array.from({ length: slots }, () => []);
  const groupOf = new Map<SharedArrayBuffer, ChannelGroup>(into.groups.map((g) => [g.buffer, g]));
  let block = 0;
  for (const vertex of plan.vertices) {
    const v = vertex.vertex;
    for (const sub of vertex.subtasks) {
      const base = ringBase.get(`${v.id}/${sub.index}`)!;
      const outputs = sub.outputs.map((partition) => {
        const jobEdge = plan.jobGraph.edges[partition.edgeIndex]!;
        const consumer = plan.vertices[jobEdge.target]!;
        const localPool = createLocalPool(partition.channels.length);
        const { serializer, combiner } = plan.edges[partition.edgeIndex]!;
        return {
          streamEdgeIndex: graph.edges.indexOf(jobEdge.streamEdge),
          partitioner: jobEdge.partitioner,
          serializer,
          combiner,
          localPool,
          consumerMaxParallelism: consumer.vertex.maxParallelism,
          channels: partition.channels.map((c) => {
            const consumerSub = consumer.subtasks[c.consumerSubtask]!;
            return {
              group: slotGroups[consumerSub.slot]!.buffer,
              ring: ringBase.get(`${consumerSub.vertexId}/${consumerSub.index}`)! + c.inputChannelIndex,
            };
          }),
        };
      });
      const collectGroup = collectGroups.get(v.id);
      const tail = graph.nodes[v.nodeIds[v.nodeIds.length - 1]!]!;
      const collect = collectGroup
        ? { serializer: plan.operators[tail.id]!.inputTypes[0]!, group: collectGroup.buffer, ring: sub.index, localPool: createLocalPool(1) }
        : undefined;
      const inputRings = sub.inputChannels.map((_, i) => base + i);
      // Each input of the head gets the rings of the channels the plan assigned to it.
      const head = plan.operators[v.nodeIds[0]!]!;
      const inputs = head.inputTypes.map((type, inputIndex) => ({
        inputIndex,
        type,
        rings: inputRings.filter((_, i) => sub.inputChannels[i]!.inputIndex === inputIndex),
      }));
      const textFile = tail.operator.kind === 'sink' && tail.operator.sink.kind === 'textFile' ? output.subtaskFile(tail.id, sub.index) : undefined;
      const metricsBlock = input.metrics ? block++ : -1;
      if (input.metrics) {
        into.metricsSources.push({
          name: sub.name,
          vertexId: v.id,
          subtaskIndex: sub.index,
          block: metricsBlock,
          input: inputRings.length > 0 ? { group: slotGroups[sub.slot]!, rings: inputRings } : undefined,
          outputs: [
            ...outputs.flatMap((o) => o.channels.map((c) => ({ group: groupOf.get(c.group)!, ring: c.ring }))),
            ...(collect ? [{ group: collectGroup!, ring: collect.ring }] : []),
          ],
          localPools: [...outputs.map((o) => o.localPool), ...(collect ? [collect.localPool] : [])],
        });
      }
      tasksPerSlot[sub.slot]!.push({
        vertexId: v.id,
        name: sub.name,
        subtaskIndex: sub.index,
        parallelism: v.parallelism,
        nodeIds: [...v.nodeIds],
        operators: v.nodeIds.map((id) => {
          const op = plan.operators[id]!;
          return { nodeId: id, inputTypes: [...op.inputTypes], implementation: op.implementation };
        }),
        maxParallelism: v.maxParallelism,
        keyGroupRange: sub.keyGroupRange ? { start: sub.keyGroupRange.start, end: sub.keyGroupRange.end } : undefined,
        inputs,
        outputs,
        collect,
        metricsBlock,
        textFile,
      });
    }
  }
  const jobModule = jobModuleUrl(job, options);
  // The id names the job in its module's registry; it only holds for the module that defined it.
  const jobId = job.module !== undefined && jobModule === job.module ? job.id : undefined;
  const print = fingerprint(graph);
  return tasksPerSlot
    .map((tasks, slot) => ({ tasks, slot }))
    .filter((s) => s.tasks.length > 0)
    .map(({ tasks, slot }) => ({
      jobModule,
      jobExport: options.exportName ?? '',
      jobId,
      params: options.params ?? {},
      config: config.toObject(),
      fingerprint: print,
      slot,
      network: pool.buffer,
      managedMemory: input.managedMemory,
      flushClock: input.flushClock,
      control: input.control,
      metrics: input.metrics,
      inputGroup: slotGroups[slot]?.buffer,
      tasks,
    }));
}

/** The job's module URL: given, or where defineJob was called. */
function jobModuleUrl(job: JobDefinition, options: ExecuteOptions): string {
  const given = options.module ?? job.module;
  const url = given === undefined ? undefined : moduleUrl(given instanceof URL ? given : given.startsWith('file:') ? given : resolve(given));
  if (!url) {
    throw errors.invalidJob('cannot tell which module defines the job: pass { module: import.meta.url } to execute()');
  }
  return url;
}
