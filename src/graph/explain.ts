/**
 * A readable, deterministic description of an ExecutionPlan, in the terms of Flink's web UI and
 * logs: tasks as chains ("Source: Collection -> Flat Map"), parallelism, slot sharing, the
 * partitioner of each input, key-group ranges of keyed subtasks, and network buffers needed
 * against those available, and the physical choices (physical-plan.ts): native or js keyed
 * aggregation (`Keyed Aggregation [native, sum(1)]`), combiners and each edge's serializer.
 * Same plan, same text (no timestamps, no ids from memory).
 *
 * Layering: depends on execution-plan, physical-plan, job-graph, stream-graph, ../config (formatting) only.
 */

import { formatMemorySize } from '../config/memory-size.js';
import type { EdgePlan, ExecutionPlan, OutputPartition, VertexPlan } from './execution-plan.js';
import type { JobEdge } from './job-graph.js';
import { aggregationText, inputIndexOf } from './physical-plan.js';
import type { KeySpec, OperatorSpec } from './stream-graph.js';

/** Renders `plan` as text, one block per task; lines end with "\n". */
export function explainPlan(plan: ExecutionPlan): string {
  const { jobGraph, totals, network } = plan;
  const lines: string[] = [];
  lines.push(`Job: ${jobGraph.jobName}`);
  lines.push(
    `Tasks: ${jobGraph.vertices.length}, operators: ${jobGraph.nodes.length}, subtasks: ${totals.subtasks}, ` +
      `channels: ${totals.channels}`,
  );
  lines.push(
    `Slots: ${totals.slots} required, ${totals.availableSlots} available ` +
      `(${totals.slotsSizedToJob ? 'taskmanager.numberOfTaskSlots not set: sized to the job' : 'taskmanager.numberOfTaskSlots'}); ` +
      plan.slotSharingGroups.map((g) => `group '${g.name}' ${range(g.offset, g.offset + g.slots - 1, 'slot')}`).join(', '),
  );
  lines.push(
    `Network buffers: ${totals.requiredSegments} required (min), up to ${totals.maxSegments} (max), ` +
      `${totals.availableSegments} available (segments of ${formatMemorySize(network.segmentSize)})`,
  );
  for (const vp of plan.vertices) {
    lines.push('');
    lines.push(...explainVertex(plan, vp));
  }
  return lines.join('\n') + '\n';
}

function explainVertex(plan: ExecutionPlan, vp: VertexPlan): string[] {
  const { vertex, subtasks } = vp;
  const group = plan.slotSharingGroups.find((g) => g.name === vertex.slotSharingGroup)!;
  const lines: string[] = [];
  lines.push(`Task ${vertex.id}: ${vertex.name}${vertex.keyed ? ' [keyed]' : ''}`);
  lines.push(
    `  parallelism: ${vertex.parallelism}, max parallelism: ${vertex.maxParallelism}, ` +
      `slot sharing group: '${vertex.slotSharingGroup}', ${range(group.offset, group.offset + vertex.parallelism - 1, 'slot')}`,
  );
  if (vertex.nodeIds.length > 1) {
    lines.push(`  chain: ${vertex.nodeIds.map((id) => `${plan.jobGraph.nodes[id]!.node.name} (#${id})`).join(' -> ')}`);
  }
  for (const id of vertex.nodeIds) {
    const op = plan.operators[id]!;
    const node = plan.jobGraph.nodes[id]!.node;
    const strategy = watermarkStrategyOf(node.operator);
    if (strategy) lines.push(`  operator #${id}: ${node.name} [watermarks: ${strategy}]`);
    if (op.implementation === undefined) continue;
    lines.push(`  operator #${id}: ${node.name} [${op.implementation}, ${aggregationText(node.operator)}], input ${op.inputTypes[0]!.name}`);
  }
  // A two-input head: each input line says which input of the head it feeds.
  const twoInputs = plan.operators[vertex.nodeIds[0]!]!.inputTypes.length > 1;
  for (const edgeIndex of vertex.inputs) {
    const edge = plan.jobGraph.edges[edgeIndex]!;
    const ep = plan.edges[edgeIndex]!;
    const source = plan.jobGraph.vertices[edge.source]!;
    lines.push(
      `  input: ${partitionerText(edge)} from Task ${source.id} (${source.name}), ` +
        `${source.parallelism} -> ${vertex.parallelism} subtasks, ${ep.pattern}, ${ep.numberOfChannels} channels, ` +
        `serializer ${ep.serializer.name}${twoInputs ? `, input ${inputIndexOf(edge.streamEdge) + 1}` : ''}`,
    );
  }
  for (const edgeIndex of vertex.outputs) {
    const edge = plan.jobGraph.edges[edgeIndex]!;
    const target = plan.jobGraph.vertices[edge.target]!;
    const partitions = subtasks.map((s) => s.outputs.find((o) => o.edgeIndex === edgeIndex)!);
    lines.push(
      `  output: ${partitionerText(edge)} to Task ${target.id} (${target.name}), ` +
        `channels per subtask: ${distinct(partitions.map((p) => p.channels.length))}, ` +
        `buffers: ${sum(partitions, (p) => p.pool.min)} min, ${sum(partitions, (p) => p.pool.max)} max, ` +
        `serializer ${plan.edges[edgeIndex]!.serializer.name}${combinerText(plan.edges[edgeIndex]!)}${sideOutputText(edge)}`,
    );
  }
  if (vertex.outputs.length === 0) lines.push('  output: none');
  for (const s of subtasks) {
    const parts = [`  subtask ${s.name}: slot ${s.slot}`];
    if (s.keyGroupRange) parts.push(`key groups ${s.keyGroupRange.start}-${s.keyGroupRange.end}`);
    if (s.inputChannels.length > 0) parts.push(`${s.inputChannels.length} input channels`);
    const outChannels = s.outputs.reduce((n, o) => n + o.channels.length, 0);
    if (s.outputs.length > 0) parts.push(`${outChannels} output channels`);
    lines.push(parts.join(', '));
  }
  return lines;
}

/** The watermark strategy a source or assignTimestampsAndWatermarks runs, as text; undefined for other operators. */
function watermarkStrategyOf(op: OperatorSpec): string | undefined {
  if (op.kind === 'timestampsAndWatermarks') return op.strategy.toString();
  if (op.kind === 'source') return op.watermarkStrategy?.toString();
  return undefined;
}

function sideOutputText(edge: JobEdge): string {
  const tag = edge.streamEdge.sideOutputTag;
  return tag ? `, side output '${tag.id}'` : '';
}

function combinerText(ep: EdgePlan): string {
  const c = ep.combiner;
  return c ? `, combiner [native, ${c.aggregation}(${String(c.field)})]` : '';
}

function partitionerText(edge: JobEdge): string {
  return edge.key ? `${edge.partitioner}(${keyText(edge.key)})` : edge.partitioner;
}

function keyText(key: KeySpec): string {
  if (key.kind === 'selector') return 'key selector';
  const names = key.names && key.names.length === key.fields.length ? key.names : key.fields.map(String);
  return `fields ${names.join(', ')}`;
}

function range(first: number, last: number, noun: string): string {
  return first === last ? `${noun} ${first}` : `${noun}s ${first}-${last}`;
}

function distinct(values: number[]): string {
  return [...new Set(values)].join('/');
}

function sum(partitions: OutputPartition[], f: (p: OutputPartition) => number): number {
  return partitions.reduce((n, p) => n + f(p), 0);
}
