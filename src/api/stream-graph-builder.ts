/**
 * Builds the StreamGraph as the DataStream API is called: nodes get ids in creation order, so
 * the same job module builds the same graph in every thread.
 *
 * Internal to src/api.
 */
import { errors } from '../errors.js';
import type { OutputTag } from '../functions/output-tag.js';
import type { OperatorSpec, PartitionerKind, KeySpec, StreamEdge, StreamGraph, StreamNode } from '../graph/stream-graph.js';
import type { TypeInformation } from '../types/type-information.js';

/** One input of an operator about to be created: a node, and how the edge from it partitions. */
export interface StreamInput {
  readonly node: number;
  readonly partitioner: PartitionerKind | undefined;
  readonly key: KeySpec | undefined;
  /** Which input of a two-input operator the edge feeds (0 or 1); undefined for one-input operators. */
  readonly inputIndex?: number;
  /** The side output of `node` this input reads (`getSideOutput(tag)`); undefined: its main output. */
  readonly sideOutputTag?: OutputTag<unknown>;
}

export class StreamGraphBuilder {
  readonly nodes: StreamNode[] = [];
  readonly edges: StreamEdge[] = [];

  /** Adds a node fed by `inputs` and returns it. */
  addNode(
    name: string,
    operator: OperatorSpec,
    inputs: readonly StreamInput[],
    options: { outputType?: TypeInformation<unknown>; nonParallel?: boolean; chaining?: StreamNode['chaining'] } = {},
  ): StreamNode {
    const node: StreamNode = {
      id: this.nodes.length,
      name,
      uid: undefined,
      operator,
      parallelism: options.nonParallel ? 1 : -1,
      maxParallelism: -1,
      chaining: options.chaining ?? 'ALWAYS',
      slotSharingGroup: 'default',
      outputType: options.outputType,
      nonParallel: options.nonParallel ?? false,
    };
    this.nodes.push(node);
    for (const input of inputs) {
      const edge: StreamEdge = { source: input.node, target: node.id, partitioner: input.partitioner, key: input.key };
      if (input.inputIndex !== undefined) edge.inputIndex = input.inputIndex;
      if (input.sideOutputTag !== undefined) edge.sideOutputTag = input.sideOutputTag;
      this.edges.push(edge);
    }
    return node;
  }

  /** The graph so far; checks that uids are unique. */
  build(jobName: string): StreamGraph {
    const seen = new Map<string, string>();
    for (const node of this.nodes) {
      if (node.uid === undefined) continue;
      const other = seen.get(node.uid);
      if (other !== undefined) {
        throw errors.argumentOutOfRange('uid', node.uid, `it is used by both '${other}' and '${node.name}'; uids must be unique`);
      }
      seen.set(node.uid, node.name);
    }
    return { jobName, nodes: this.nodes.map((n) => ({ ...n })), edges: this.edges.map((e) => ({ ...e })) };
  }
}
