/**
 * Builds StreamGraphs by hand for the planner tests (the DataStream API is built elsewhere).
 * Node ids are assigned in creation order, as the API does.
 */
import type { NetworkMemoryConfig } from '../../src/config/network-memory-config.js';
import type { ChainingStrategy, KeySpec, OperatorSpec, PartitionerKind, StreamEdge, StreamGraph, StreamNode } from '../../src/graph/stream-graph.js';

export interface NodeOptions {
  parallelism?: number;
  maxParallelism?: number;
  chaining?: ChainingStrategy;
  slotSharingGroup?: string;
  nonParallel?: boolean;
  operator?: OperatorSpec;
}

/** A mutable StreamGraph under construction. */
export class GraphBuilder {
  readonly nodes: StreamNode[] = [];
  readonly edges: StreamEdge[] = [];
  constructor(readonly jobName = 'test job') {}

  /** Adds a source (chaining HEAD, like the API's sources); returns its id. */
  source(name = 'Source: Collection', options: NodeOptions = {}): number {
    return this.add(name, { chaining: 'HEAD', operator: { kind: 'source', source: { kind: 'elements', elements: [] } }, ...options });
  }

  /** Adds an operator fed by `inputs` (node ids; forward/default unless `partitioner` given). */
  op(name: string, inputs: number | number[], options: NodeOptions & { partitioner?: PartitionerKind; key?: KeySpec } = {}): number {
    const id = this.add(name, options);
    for (const from of Array.isArray(inputs) ? inputs : [inputs]) this.connect(from, id, options.partitioner, options.key);
    return id;
  }

  /** Adds an edge. */
  connect(source: number, target: number, partitioner?: PartitionerKind, key?: KeySpec): void {
    this.edges.push({ source, target, partitioner, key });
  }

  graph(): StreamGraph {
    return { jobName: this.jobName, nodes: this.nodes, edges: this.edges };
  }

  private add(name: string, o: NodeOptions): number {
    const id = this.nodes.length;
    this.nodes.push({
      id,
      name,
      uid: undefined,
      operator: o.operator ?? { kind: 'map', fn: (v) => v },
      parallelism: o.parallelism ?? -1,
      maxParallelism: o.maxParallelism ?? -1,
      chaining: o.chaining ?? 'ALWAYS',
      slotSharingGroup: o.slotSharingGroup ?? 'default',
      outputType: undefined,
      nonParallel: o.nonParallel ?? false,
    });
    return id;
  }
}

/** Key by tuple field 0. */
export const KEY0: KeySpec = { kind: 'fields', fields: [0] };

/** Flink's defaults: 2 buffers per channel, 8 floating, 10 max per channel; 64 MiB of 32 KiB segments. */
export function networkConfig(numSegments = 2048): NetworkMemoryConfig {
  return {
    segmentSize: 32768,
    numSegments,
    networkMemoryBytes: numSegments * 32768,
    buffersPerChannel: 2,
    floatingBuffersPerGate: 8,
    maxBuffersPerChannel: 10,
  };
}

/** The default job-graph options used by the tests. */
export const OPTIONS = { defaultParallelism: 2, maxParallelism: -1, chaining: true } as const;
