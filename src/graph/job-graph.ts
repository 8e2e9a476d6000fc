/**
 * The JobGraph: the StreamGraph with parallelism resolved, partitioners chosen and operators
 * chained into tasks (Flink's `StreamingJobGraphGenerator`). Pure: no I/O, no threads.
 *
 * ## Chaining (Flink's `isChainable`, restricted to linear chains)
 * A StreamEdge `up -> down` is chained when all hold:
 * - operator chaining is enabled (`pipeline.operator-chaining`);
 * - the edge's resolved partitioner is FORWARD (so the parallelisms are equal);
 * - both nodes have the same slot sharing group;
 * - `down` has exactly one input edge (a union or connect starts a new task);
 * - `down`'s chaining strategy is ALWAYS and `up`'s is not NEVER (a HEAD node, i.e. a source or
 *   `startNewChain()`, may have successors chained to it);
 * - strom-specific: `up` has exactly one output edge. Flink chains trees (a node may chain to
 *   several successors); strom keeps chains linear, so a task's inputs all enter its head and
 *   its outputs all leave its tail, and the runtime runs a chain as a simple function pipeline.
 *
 * ## Vertex parameters
 * A vertex takes parallelism, max parallelism and slot sharing group from its head (chained
 * nodes have the same parallelism and group by the rules above; a differing max parallelism on
 * a chained node is ignored, as in Flink, which sets the JobVertex's from the head). A vertex is
 * keyed when its head consumes a HASH edge; a HASH edge is never chained, so keyed operators are
 * always chain heads.
 *
 * Layering: depends on stream-graph, ../io (key groups) and ../errors only.
 */

import { errors } from '../errors.js';
import { computeDefaultMaxParallelism, UPPER_BOUND_MAX_PARALLELISM } from '../io/key-group-assignment.js';
import type { ChainingStrategy, KeySpec, PartitionerKind, StreamEdge, StreamGraph, StreamNode } from './stream-graph.js';

/** Options of {@link createJobGraph}. */
export interface JobGraphOptions {
  /** Parallelism of nodes left at -1 (`parallelism.default`); a positive integer. */
  readonly defaultParallelism: number;
  /**
   * Max parallelism of nodes left at -1 (`pipeline.max-parallelism`); -1 = derive per node with
   * `computeDefaultMaxParallelism(parallelism)` (128 for parallelism <= 85).
   */
  readonly maxParallelism: number;
  /** Whether operators may be chained (`pipeline.operator-chaining`, default true). */
  readonly chaining: boolean;
}

/** A StreamNode with its parallelism and max parallelism resolved. */
export interface ResolvedNode {
  /** The node as built by the API (not copied). */
  readonly node: StreamNode;
  /** Resolved parallelism (>= 1). */
  readonly parallelism: number;
  /** Resolved max parallelism (number of key groups, >= parallelism). */
  readonly maxParallelism: number;
  /** Id of the JobVertex the node runs in. */
  readonly vertexId: number;
}

/** One task: a chain of operators run by one thread per subtask (Flink's JobVertex). */
export interface JobVertex {
  /** Position in `JobGraph.vertices`; vertices are ordered by their head node id. */
  readonly id: number;
  /** Operator names of the chain joined with " -> ", e.g. `Source: Collection -> Map`. */
  readonly name: string;
  /** StreamNode ids in chain order, head first; each feeds the next. */
  readonly nodeIds: readonly number[];
  /** Parallelism (number of subtasks). */
  readonly parallelism: number;
  /** Max parallelism: the number of key groups. */
  readonly maxParallelism: number;
  /** Slot sharing group of the chain. */
  readonly slotSharingGroup: string;
  /** True when the head consumes a HASH edge (the task holds keyed state by key group). */
  readonly keyed: boolean;
  /** Indexes into `JobGraph.edges` of the edges entering this vertex (all enter the head), in edge order. */
  readonly inputs: readonly number[];
  /** Indexes into `JobGraph.edges` of the edges leaving this vertex (all leave the tail), in edge order. */
  readonly outputs: readonly number[];
}

/** A connection between two tasks (Flink's JobEdge). */
export interface JobEdge {
  /** Position in `JobGraph.edges` (the order of the non-chained StreamEdges). */
  readonly index: number;
  /** Producer vertex id. */
  readonly source: number;
  /** Consumer vertex id. */
  readonly target: number;
  /** Resolved partitioner (never undefined). */
  readonly partitioner: PartitionerKind;
  /** Key of a HASH edge, from the StreamEdge. */
  readonly key: KeySpec | undefined;
  /** The StreamEdge this JobEdge came from. */
  readonly streamEdge: StreamEdge;
}

/** The chained, parallelism-resolved job. */
export interface JobGraph {
  readonly jobName: string;
  /** The StreamGraph it was made from. */
  readonly streamGraph: StreamGraph;
  /** One entry per StreamNode, indexed by node id. */
  readonly nodes: readonly ResolvedNode[];
  /** Resolved partitioner of every StreamEdge, in `streamGraph.edges` order. */
  readonly streamEdgePartitioners: readonly PartitionerKind[];
  /** Tasks, ordered by head node id. */
  readonly vertices: readonly JobVertex[];
  /** Edges between tasks, in StreamEdge order. */
  readonly edges: readonly JobEdge[];
}

/**
 * Resolves parallelism and partitioners, chains operators and builds the JobGraph.
 * @throws InvalidJobError naming the operator: a non-parallel source with parallelism above 1,
 *   max parallelism below parallelism (naming 'pipeline.max-parallelism'), FORWARD between
 *   different parallelisms (Flink's message), an edge to a missing node or backwards in id order.
 * @throws RangeError for bad options.
 */
export function createJobGraph(graph: StreamGraph, options: JobGraphOptions): JobGraph {
  checkOptions(options);
  const { nodes, edges } = graph;
  nodes.forEach((node, i) => {
    if (node.id !== i) throw errors.invalidJob(`Stream node '${node.name}' has id ${node.id} but sits at position ${i}; node ids must be 0..n-1 in order.`, node.name);
  });

  const parallelism = nodes.map((n) => resolveParallelism(n, options));
  const maxParallelism = nodes.map((n, i) => resolveMaxParallelism(n, parallelism[i]!, options));

  const inEdges: number[][] = nodes.map(() => []);
  const outEdges: number[][] = nodes.map(() => []);
  const partitioners = edges.map((edge, i) => {
    const up = nodes[edge.source];
    const down = nodes[edge.target];
    if (!up || !down) {
      throw errors.invalidJob(`Stream edge ${i} connects ${edge.source} -> ${edge.target}, but the graph has nodes 0..${nodes.length - 1} only.`);
    }
    if (edge.source >= edge.target) {
      throw errors.invalidJob(`Stream edge ${i} from '${up.name}' (${edge.source}) to '${down.name}' (${edge.target}) does not go forward in node order.`, down.name);
    }
    inEdges[edge.target]!.push(i);
    outEdges[edge.source]!.push(i);
    return resolvePartitioner(edge, up, parallelism[edge.source]!, down, parallelism[edge.target]!);
  });

  // Chain: a node joins its predecessor's chain when the single input edge is chainable.
  const chainedFrom: (number | undefined)[] = nodes.map(() => undefined);
  const chained = edges.map((edge, i) => isChainable(edge, partitioners[i]!, nodes, parallelism, inEdges, outEdges, options.chaining));
  for (const [i, edge] of edges.entries()) if (chained[i]) chainedFrom[edge.target] = edge.source;

  const vertexOf: number[] = new Array<number>(nodes.length);
  const chains: number[][] = [];
  for (const node of nodes) {
    const pred = chainedFrom[node.id];
    if (pred === undefined) {
      vertexOf[node.id] = chains.length;
      chains.push([node.id]);
    } else {
      // pred < node.id, so its vertex is known; linear chains: pred is the chain's current tail.
      vertexOf[node.id] = vertexOf[pred]!;
      chains[vertexOf[pred]!]!.push(node.id);
    }
  }

  const jobEdges: JobEdge[] = [];
  const vertexInputs: number[][] = chains.map(() => []);
  const vertexOutputs: number[][] = chains.map(() => []);
  for (const [i, edge] of edges.entries()) {
    if (chained[i]) continue;
    const index = jobEdges.length;
    const source = vertexOf[edge.source]!;
    const target = vertexOf[edge.target]!;
    jobEdges.push(Object.freeze({ index, source, target, partitioner: partitioners[i]!, key: edge.key, streamEdge: edge }));
    vertexOutputs[source]!.push(index);
    vertexInputs[target]!.push(index);
  }

  const vertices: JobVertex[] = chains.map((nodeIds, id) => {
    const head = nodeIds[0]!;
    return Object.freeze({
      id,
      name: nodeIds.map((n) => nodes[n]!.name).join(' -> '),
      nodeIds: Object.freeze(nodeIds),
      parallelism: parallelism[head]!,
      maxParallelism: maxParallelism[head]!,
      slotSharingGroup: nodes[head]!.slotSharingGroup,
      keyed: inEdges[head]!.some((e) => partitioners[e] === 'HASH'),
      inputs: Object.freeze(vertexInputs[id]!),
      outputs: Object.freeze(vertexOutputs[id]!),
    });
  });

  return Object.freeze({
    jobName: graph.jobName,
    streamGraph: graph,
    nodes: Object.freeze(
      nodes.map((node, i) => Object.freeze({ node, parallelism: parallelism[i]!, maxParallelism: maxParallelism[i]!, vertexId: vertexOf[i]! })),
    ),
    streamEdgePartitioners: Object.freeze(partitioners),
    vertices: Object.freeze(vertices),
    edges: Object.freeze(jobEdges),
  });
}

/** Flink's `isChainable` with strom's linear-chain restriction (see the module comment). */
function isChainable(
  edge: StreamEdge,
  partitioner: PartitionerKind,
  nodes: readonly StreamNode[],
  parallelism: readonly number[],
  inEdges: readonly (readonly number[])[],
  outEdges: readonly (readonly number[])[],
  chainingEnabled: boolean,
): boolean {
  const up = nodes[edge.source]!;
  const down = nodes[edge.target]!;
  return (
    chainingEnabled &&
    partitioner === 'FORWARD' &&
    parallelism[edge.source] === parallelism[edge.target] &&
    up.slotSharingGroup === down.slotSharingGroup &&
    inEdges[edge.target]!.length === 1 &&
    outEdges[edge.source]!.length === 1 &&
    down.chaining === 'ALWAYS' &&
    canChainSuccessors(up.chaining)
  );
}

function canChainSuccessors(strategy: ChainingStrategy): boolean {
  return strategy !== 'NEVER';
}

function checkOptions(options: JobGraphOptions): void {
  const { defaultParallelism, maxParallelism } = options;
  if (!Number.isInteger(defaultParallelism) || defaultParallelism < 1 || defaultParallelism > UPPER_BOUND_MAX_PARALLELISM) {
    throw errors.argumentOutOfRange('defaultParallelism', defaultParallelism, `expected an integer from 1 to ${UPPER_BOUND_MAX_PARALLELISM}`);
  }
  if (maxParallelism !== -1 && (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM)) {
    throw errors.argumentOutOfRange('maxParallelism', maxParallelism, `expected -1 (derive) or an integer from 1 to ${UPPER_BOUND_MAX_PARALLELISM}`);
  }
}

function resolveParallelism(node: StreamNode, options: JobGraphOptions): number {
  const p = node.parallelism;
  if (p !== -1 && (!Number.isInteger(p) || p < 1 || p > UPPER_BOUND_MAX_PARALLELISM)) {
    throw errors.invalidJob(
      `Invalid parallelism ${p} for operator '${node.name}': expected -1 (default) or an integer from 1 to ${UPPER_BOUND_MAX_PARALLELISM}.`,
      node.name,
    );
  }
  if (node.nonParallel) {
    if (p > 1) {
      throw errors.invalidJob(
        `The parallelism of non parallel operator '${node.name}' must be 1, but was ${p}. ` +
          `Remove setParallelism(${p}) from the source or use a parallel source.`,
        node.name,
      );
    }
    return 1;
  }
  return p === -1 ? options.defaultParallelism : p;
}

function resolveMaxParallelism(node: StreamNode, parallelism: number, options: JobGraphOptions): number {
  const explicit = node.maxParallelism;
  if (explicit !== -1 && (!Number.isInteger(explicit) || explicit < 1 || explicit > UPPER_BOUND_MAX_PARALLELISM)) {
    throw errors.invalidJob(
      `Invalid max parallelism ${explicit} for operator '${node.name}': expected -1 or an integer from 1 to ${UPPER_BOUND_MAX_PARALLELISM}.`,
      node.name,
    );
  }
  const maxP = explicit !== -1 ? explicit : options.maxParallelism !== -1 ? options.maxParallelism : computeDefaultMaxParallelism(parallelism);
  if (maxP < parallelism) {
    const source = explicit !== -1 ? `setMaxParallelism(${explicit}) on the operator` : `'pipeline.max-parallelism' = ${maxP}`;
    throw errors.invalidJob(
      `The max parallelism of operator '${node.name}' (${maxP}, from ${source}) must not be lower than its parallelism (${parallelism}). ` +
        `Raise 'pipeline.max-parallelism' (or the operator's setMaxParallelism) or lower the parallelism.`,
      node.name,
    );
  }
  return maxP;
}

/** Undefined -> FORWARD when parallelisms match, else REBALANCE; FORWARD across a parallelism change is an error. */
function resolvePartitioner(edge: StreamEdge, up: StreamNode, upP: number, down: StreamNode, downP: number): PartitionerKind {
  const explicit = edge.partitioner;
  if (explicit === undefined) return upP === downP ? 'FORWARD' : 'REBALANCE';
  if (explicit === 'FORWARD' && upP !== downP) throw errors.forwardParallelismMismatch(up.name, upP, down.name, downP);
  if (explicit === 'HASH' && edge.key === undefined) {
    throw errors.invalidJob(`The HASH edge from '${up.name}' to '${down.name}' has no key.`, down.name);
  }
  return explicit;
}
