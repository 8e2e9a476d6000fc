import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidJobError } from '../../src/errors.js';
import { createJobGraph, type JobGraph } from '../../src/graph/job-graph.js';
import { GraphBuilder, KEY0, OPTIONS } from './graph-builder.js';

/** Chains as lists of node names, for compact assertions. */
function chains(jg: JobGraph): string[] {
  return jg.vertices.map((v) => v.name);
}

describe('createJobGraph: chaining', () => {
  it('chains a forward pipeline into one task named like Flink', () => {
    const b = new GraphBuilder();
    const s = b.source();
    const m = b.op('Map', s);
    const f = b.op('Filter', m);
    b.op('Sink: Print to Std. Out', f);
    const jg = createJobGraph(b.graph(), OPTIONS);
    assert.deepEqual(chains(jg), ['Source: Collection -> Map -> Filter -> Sink: Print to Std. Out']);
    assert.deepEqual(jg.vertices[0]!.nodeIds, [0, 1, 2, 3]);
    assert.equal(jg.edges.length, 0);
    assert.deepEqual(jg.streamEdgePartitioners, ['FORWARD', 'FORWARD', 'FORWARD']);
    assert.deepEqual(jg.nodes.map((n) => n.vertexId), [0, 0, 0, 0]);
  });

  it('breaks the chain at keyBy (HASH) and marks the consumer keyed', () => {
    const b = new GraphBuilder();
    const s = b.source();
    const fm = b.op('Flat Map', s);
    const agg = b.op('Keyed Aggregation', fm, { partitioner: 'HASH', key: KEY0 });
    b.op('Sink: Print to Std. Out', agg);
    const jg = createJobGraph(b.graph(), OPTIONS);
    assert.deepEqual(chains(jg), ['Source: Collection -> Flat Map', 'Keyed Aggregation -> Sink: Print to Std. Out']);
    assert.deepEqual(jg.vertices.map((v) => v.keyed), [false, true]);
    assert.equal(jg.edges.length, 1);
    const e = jg.edges[0]!;
    assert.deepEqual([e.source, e.target, e.partitioner, e.key], [0, 1, 'HASH', KEY0]);
    assert.equal(e.streamEdge, b.edges[1]);
    assert.deepEqual(jg.vertices[0]!.outputs, [0]);
    assert.deepEqual(jg.vertices[1]!.inputs, [0]);
  });

  it('breaks the chain at an explicit rebalance, even with equal parallelism', () => {
    const b = new GraphBuilder();
    const s = b.source();
    b.op('Map', s, { partitioner: 'REBALANCE' });
    assert.deepEqual(chains(createJobGraph(b.graph(), OPTIONS)), ['Source: Collection', 'Map']);
  });

  it('breaks the chain at a parallelism change and picks REBALANCE', () => {
    const b = new GraphBuilder();
    const s = b.source();
    b.op('Map', s, { parallelism: 3 });
    const jg = createJobGraph(b.graph(), OPTIONS);
    assert.deepEqual(chains(jg), ['Source: Collection', 'Map']);
    assert.equal(jg.edges[0]!.partitioner, 'REBALANCE');
    assert.deepEqual(jg.vertices.map((v) => v.parallelism), [2, 3]);
  });

  it('disableChaining (NEVER) isolates the operator on both sides', () => {
    const b = new GraphBuilder();
    const s = b.source();
    const m = b.op('Map', s, { chaining: 'NEVER' });
    b.op('Filter', m);
    assert.deepEqual(chains(createJobGraph(b.graph(), OPTIONS)), ['Source: Collection', 'Map', 'Filter']);
  });

  it('startNewChain (HEAD) starts a chain that successors join', () => {
    const b = new GraphBuilder();
    const s = b.source();
    const m = b.op('Map', s);
    const f = b.op('Filter', m, { chaining: 'HEAD' });
    b.op('Sink', f);
    assert.deepEqual(chains(createJobGraph(b.graph(), OPTIONS)), ['Source: Collection -> Map', 'Filter -> Sink']);
  });

  it('breaks the chain between slot sharing groups', () => {
    const b = new GraphBuilder();
    const s = b.source();
    const m = b.op('Map', s, { slotSharingGroup: 'other' });
    b.op('Sink', m, { slotSharingGroup: 'other' });
    const jg = createJobGraph(b.graph(), OPTIONS);
    assert.deepEqual(chains(jg), ['Source: Collection', 'Map -> Sink']);
    assert.deepEqual(jg.vertices.map((v) => v.slotSharingGroup), ['default', 'other']);
    assert.equal(jg.edges[0]!.partitioner, 'FORWARD');
  });

  it('does not chain into a union (two inputs); the union node heads its own task', () => {
    const b = new GraphBuilder();
    const s1 = b.source('Source: A');
    const s2 = b.source('Source: B');
    const u = b.op('Map', [s1, s2]);
    b.op('Sink', u);
    const jg = createJobGraph(b.graph(), OPTIONS);
    assert.deepEqual(chains(jg), ['Source: A', 'Source: B', 'Map -> Sink']);
    assert.deepEqual(jg.vertices[2]!.inputs, [0, 1]);
    assert.deepEqual(jg.edges.map((e) => [e.source, e.target]), [[0, 2], [1, 2]]);
  });

  it('does not chain when operator chaining is disabled globally', () => {
    const b = new GraphBuilder();
    const s = b.source();
    const m = b.op('Map', s);
    b.op('Sink', m);
    const jg = createJobGraph(b.graph(), { ...OPTIONS, chaining: false });
    assert.deepEqual(chains(jg), ['Source: Collection', 'Map', 'Sink']);
    assert.deepEqual(jg.edges.map((e) => e.partitioner), ['FORWARD', 'FORWARD']);
  });

  it('keeps chains linear: a node with two outputs chains to neither (strom restriction)', () => {
    const b = new GraphBuilder();
    const s = b.source();
    const m = b.op('Map', s);
    b.op('Sink: A', m);
    b.op('Sink: B', m);
    const jg = createJobGraph(b.graph(), OPTIONS);
    assert.deepEqual(chains(jg), ['Source: Collection -> Map', 'Sink: A', 'Sink: B']);
    assert.deepEqual(jg.vertices[0]!.outputs, [0, 1]);
  });

  it('orders vertices by head node id and keeps vertex ids dense', () => {
    const b = new GraphBuilder();
    const s = b.source();
    const m = b.op('Map', s, { partitioner: 'SHUFFLE' });
    b.op('Sink', m, { chaining: 'NEVER' });
    const jg = createJobGraph(b.graph(), OPTIONS);
    assert.deepEqual(jg.vertices.map((v) => [v.id, v.nodeIds[0]]), [[0, 0], [1, 1], [2, 2]]);
  });
});

describe('createJobGraph: parallelism and partitioners', () => {
  it('resolves -1 to the default parallelism and derives max parallelism', () => {
    const b = new GraphBuilder();
    const s = b.source();
    b.op('Map', s, { parallelism: 200, partitioner: 'REBALANCE' });
    const jg = createJobGraph(b.graph(), OPTIONS);
    assert.deepEqual(jg.nodes.map((n) => [n.parallelism, n.maxParallelism]), [[2, 128], [200, 512]]);
  });

  it('uses pipeline.max-parallelism when set and an operator value over it', () => {
    const b = new GraphBuilder();
    const s = b.source();
    b.op('Map', s, { maxParallelism: 64, partitioner: 'REBALANCE' });
    const jg = createJobGraph(b.graph(), { ...OPTIONS, maxParallelism: 16 });
    assert.deepEqual(jg.nodes.map((n) => n.maxParallelism), [16, 64]);
  });

  it('rejects max parallelism below parallelism naming the operator and the key', () => {
    const b = new GraphBuilder();
    b.source('Source: Big', { parallelism: 8 });
    assert.throws(
      () => createJobGraph(b.graph(), { ...OPTIONS, maxParallelism: 4 }),
      (e: unknown) =>
        e instanceof InvalidJobError &&
        e.code === 'ERR_INVALID_JOB' &&
        e.operator === 'Source: Big' &&
        e.message.includes("'pipeline.max-parallelism'") &&
        e.message.includes('(8)'),
    );
  });

  it('forces non-parallel sources to 1 and rejects an explicit higher parallelism', () => {
    const ok = new GraphBuilder();
    ok.source('Source: Socket', { nonParallel: true });
    assert.equal(createJobGraph(ok.graph(), { ...OPTIONS, defaultParallelism: 4 }).vertices[0]!.parallelism, 1);

    const bad = new GraphBuilder();
    bad.source('Source: Socket', { nonParallel: true, parallelism: 3 });
    assert.throws(
      () => createJobGraph(bad.graph(), OPTIONS),
      (e: unknown) => e instanceof InvalidJobError && e.operator === 'Source: Socket' && /must be 1, but was 3/.test(e.message),
    );
  });

  it('defaults to FORWARD for equal and REBALANCE for different parallelism', () => {
    const b = new GraphBuilder();
    const s = b.source('Source: Collection', { nonParallel: true });
    const m = b.op('Map', s); // 1 -> 2
    b.op('Sink', m); // 2 -> 2
    const jg = createJobGraph(b.graph(), OPTIONS);
    assert.deepEqual(jg.streamEdgePartitioners, ['REBALANCE', 'FORWARD']);
    assert.deepEqual(chains(jg), ['Source: Collection', 'Map -> Sink']);
  });

  it("rejects FORWARD across a parallelism change with Flink's message", () => {
    const b = new GraphBuilder();
    const s = b.source('X', { parallelism: 2 });
    b.op('Y', s, { parallelism: 3, partitioner: 'FORWARD' });
    assert.throws(() => createJobGraph(b.graph(), OPTIONS), {
      name: 'InvalidJobError',
      message:
        'Forward partitioning does not allow change of parallelism. Upstream operation: X parallelism: 2, ' +
        'downstream operation: Y parallelism: 3. You must use another partitioning strategy, such as broadcast, ' +
        'rebalance, shuffle or global.',
    });
  });

  it('validates edges and options', () => {
    const b = new GraphBuilder();
    b.source();
    b.connect(0, 5);
    assert.throws(() => createJobGraph(b.graph(), OPTIONS), /connects 0 -> 5/);
    const back = new GraphBuilder();
    back.source();
    back.source();
    back.connect(1, 0);
    assert.throws(() => createJobGraph(back.graph(), OPTIONS), InvalidJobError);
    const hash = new GraphBuilder();
    hash.op('Agg', hash.source(), { partitioner: 'HASH' });
    assert.throws(() => createJobGraph(hash.graph(), OPTIONS), /has no key/);
    assert.throws(() => createJobGraph(new GraphBuilder().graph(), { ...OPTIONS, defaultParallelism: 0 }), RangeError);
    assert.throws(() => createJobGraph(new GraphBuilder().graph(), { ...OPTIONS, maxParallelism: 0 }), RangeError);
  });
});
