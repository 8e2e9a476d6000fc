import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { producerPoolSize } from '../../src/config/network-memory-config.js';
import { InsufficientNetworkBuffersError, InsufficientSlotsError } from '../../src/errors.js';
import { connectSubtasks, createExecutionPlan, type ExecutionPlan } from '../../src/graph/execution-plan.js';
import { createJobGraph } from '../../src/graph/job-graph.js';
import type { PartitionerKind } from '../../src/graph/stream-graph.js';
import { GraphBuilder, KEY0, networkConfig, OPTIONS } from './graph-builder.js';

const NET = networkConfig();

function plan(b: GraphBuilder, slots = 16, network = NET, options = OPTIONS): ExecutionPlan {
  return createExecutionPlan(createJobGraph(b.graph(), options), { numberOfTaskSlots: slots, network });
}

/** Two tasks: source (P) -[partitioner]-> map (C). */
function twoTasks(partitioner: PartitionerKind, p: number, c: number): ExecutionPlan {
  const b = new GraphBuilder();
  const s = b.source('Source', { parallelism: p });
  b.op('Map', s, { parallelism: c, partitioner, key: partitioner === 'HASH' ? KEY0 : undefined });
  return plan(b);
}

/** The writer view and the reader view describe the same connections. */
function assertViewsAgree(p: ExecutionPlan): void {
  const fromWriters: string[] = [];
  const fromReaders: string[] = [];
  for (const vp of p.vertices) {
    for (const s of vp.subtasks) {
      for (const out of s.outputs) {
        const edge = p.jobGraph.edges[out.edgeIndex]!;
        out.channels.forEach((ch, k) => {
          fromWriters.push(`${out.edgeIndex}:${s.index}->${ch.consumerSubtask}`);
          // The ring the channel points at names this producer and this channel index back.
          const back = p.vertices[edge.target]!.subtasks[ch.consumerSubtask]!.inputChannels[ch.inputChannelIndex]!;
          assert.deepEqual(back, { edgeIndex: out.edgeIndex, producerSubtask: s.index, outputChannelIndex: k, inputIndex: edge.streamEdge.inputIndex ?? 0 });
        });
      }
      const order: [number, number][] = [];
      for (const [r, ic] of s.inputChannels.entries()) {
        fromReaders.push(`${ic.edgeIndex}:${ic.producerSubtask}->${s.index}`);
        const edge = p.jobGraph.edges[ic.edgeIndex]!;
        const out = p.vertices[edge.source]!.subtasks[ic.producerSubtask]!.outputs.find((o) => o.edgeIndex === ic.edgeIndex)!;
        assert.deepEqual(out.channels[ic.outputChannelIndex], { consumerSubtask: s.index, inputChannelIndex: r });
        order.push([vp.vertex.inputs.indexOf(ic.edgeIndex), ic.producerSubtask]);
      }
      // Fixed order: by input edge, then producer subtask.
      const sorted = [...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      assert.deepEqual(order, sorted);
    }
  }
  assert.deepEqual(fromWriters.sort(), fromReaders.sort());
  assert.equal(fromWriters.length, p.totals.channels);
}

describe('connectSubtasks', () => {
  it('connects all to all', () => {
    assert.deepEqual(connectSubtasks('ALL_TO_ALL', 2, 3), [[0, 1, 2], [0, 1, 2]]);
  });
  it('connects pointwise i -> i for equal counts', () => {
    assert.deepEqual(connectSubtasks('POINTWISE', 3, 3), [[0], [1], [2]]);
  });
  it('gives each consumer a contiguous range of producers when P > C (Flink: 5 -> 2)', () => {
    // consumer 0: producers [0, 2), consumer 1: [2, 5)
    assert.deepEqual(connectSubtasks('POINTWISE', 5, 2), [[0], [0], [1], [1], [1]]);
    assert.deepEqual(connectSubtasks('POINTWISE', 4, 2), [[0], [0], [1], [1]]);
  });
  it('gives each producer a contiguous range of consumers when P < C (Flink: 2 -> 5)', () => {
    // producer 0: consumers [0, 3), producer 1: [3, 5)
    assert.deepEqual(connectSubtasks('POINTWISE', 2, 5), [[0, 1, 2], [3, 4]]);
    assert.deepEqual(connectSubtasks('POINTWISE', 3, 8), [[0, 1, 2], [3, 4, 5], [6, 7]]);
  });
  it('connects every producer and every consumer at least once, each pair once', () => {
    for (let p = 1; p <= 9; p++) {
      for (let c = 1; c <= 9; c++) {
        const conn = connectSubtasks('POINTWISE', p, c);
        const pairs = conn.flatMap((list, i) => list.map((j) => `${i}-${j}`));
        assert.equal(new Set(pairs).size, pairs.length);
        assert.ok(conn.every((l) => l.length > 0), `${p}->${c} producers`);
        const consumers = new Set(conn.flat());
        assert.equal(consumers.size, c, `${p}->${c} consumers`);
        // each consumer reads from one producer when P <= C, each producer feeds one consumer when P >= C
        if (p >= c) assert.ok(conn.every((l) => l.length === 1));
        else assert.equal(pairs.length, c);
      }
    }
  });
});

describe('createExecutionPlan: channels', () => {
  it('wires all-to-all edges with both views agreeing', () => {
    for (const partitioner of ['REBALANCE', 'SHUFFLE', 'BROADCAST', 'GLOBAL', 'HASH'] as const) {
      const p = twoTasks(partitioner, 2, 3);
      assert.equal(p.edges[0]!.pattern, 'ALL_TO_ALL');
      assert.equal(p.totals.channels, 6);
      for (const s of p.vertices[0]!.subtasks) assert.deepEqual(s.outputs[0]!.channels.map((c) => c.consumerSubtask), [0, 1, 2]);
      for (const s of p.vertices[1]!.subtasks) assert.deepEqual(s.inputChannels.map((c) => c.producerSubtask), [0, 1]);
      assertViewsAgree(p);
    }
  });

  it('wires forward edges i -> i', () => {
    const b = new GraphBuilder();
    const s = b.source('Source', { parallelism: 3 });
    b.op('Map', s, { parallelism: 3, chaining: 'NEVER' });
    const p = plan(b);
    assert.equal(p.edges[0]!.pattern, 'POINTWISE');
    assert.deepEqual(p.vertices[0]!.subtasks.map((s) => s.outputs[0]!.channels), [0, 1, 2].map((i) => [{ consumerSubtask: i, inputChannelIndex: 0 }]));
    assert.equal(p.totals.channels, 3);
    assertViewsAgree(p);
  });

  it('wires rescale edges for P > C, P < C and P = C', () => {
    const down = twoTasks('RESCALE', 4, 2);
    assert.deepEqual(down.vertices[1]!.subtasks.map((s) => s.inputChannels.map((c) => c.producerSubtask)), [[0, 1], [2, 3]]);
    assert.deepEqual(down.vertices[0]!.subtasks.map((s) => s.outputs[0]!.channels.length), [1, 1, 1, 1]);
    assertViewsAgree(down);

    const up = twoTasks('RESCALE', 2, 4);
    assert.deepEqual(up.vertices[0]!.subtasks.map((s) => s.outputs[0]!.channels.map((c) => c.consumerSubtask)), [[0, 1], [2, 3]]);
    assert.deepEqual(up.vertices[1]!.subtasks.map((s) => s.inputChannels.length), [1, 1, 1, 1]);
    assertViewsAgree(up);

    const same = twoTasks('RESCALE', 3, 3);
    assert.equal(same.totals.channels, 3);
    assertViewsAgree(same);
  });

  it('orders a union consumer by edge, then producer subtask', () => {
    const b = new GraphBuilder();
    const a = b.source('Source: A', { parallelism: 2 });
    const c = b.source('Source: B', { parallelism: 3 });
    b.op('Union Map', [a, c], { parallelism: 2, partitioner: 'REBALANCE' });
    const p = plan(b);
    const rings = p.vertices[2]!.subtasks[1]!.inputChannels.map((ic) => [ic.edgeIndex, ic.producerSubtask]);
    assert.deepEqual(rings, [[0, 0], [0, 1], [1, 0], [1, 1], [1, 2]]);
    assertViewsAgree(p);
  });
});

describe('createExecutionPlan: slots', () => {
  it('needs max parallelism slots with one slot sharing group', () => {
    const b = new GraphBuilder();
    const s = b.source('Source', { parallelism: 2 });
    b.op('Map', s, { parallelism: 4, partitioner: 'REBALANCE' });
    const p = plan(b, 4);
    assert.equal(p.totals.slots, 4);
    assert.deepEqual(p.slotSharingGroups, [{ name: 'default', offset: 0, slots: 4, vertexIds: [0, 1] }]);
    assert.deepEqual(p.vertices.map((v) => v.subtasks.map((s) => s.slot)), [[0, 1], [0, 1, 2, 3]]);
    assert.equal(p.totals.subtasks, 6);
  });

  it('adds up slot sharing groups and offsets their slots', () => {
    const b = new GraphBuilder();
    const s = b.source('Source', { parallelism: 2 });
    const m = b.op('Map', s, { parallelism: 3, slotSharingGroup: 'heavy', partitioner: 'REBALANCE' });
    b.op('Sink', m, { parallelism: 2, partitioner: 'REBALANCE' });
    const p = plan(b, 5);
    assert.equal(p.totals.slots, 5);
    assert.deepEqual(p.slotSharingGroups.map((g) => [g.name, g.offset, g.slots]), [['default', 0, 2], ['heavy', 2, 3]]);
    assert.deepEqual(p.vertices.map((v) => v.subtasks.map((s) => s.slot)), [[0, 1], [2, 3, 4], [0, 1]]);
  });

  it('fails with a clear error when slots are insufficient', () => {
    const b = new GraphBuilder();
    const s = b.source('Source', { parallelism: 2 });
    b.op('Map', s, { parallelism: 3, slotSharingGroup: 'heavy', partitioner: 'REBALANCE' });
    assert.throws(
      () => plan(b, 4),
      (e: unknown) =>
        e instanceof InsufficientSlotsError &&
        e.code === 'ERR_INSUFFICIENT_SLOTS' &&
        e.required === 5 &&
        e.available === 4 &&
        e.message.includes("'taskmanager.numberOfTaskSlots'") &&
        e.message.includes("'parallelism.default'") &&
        e.message.includes("group 'heavy' needs 3"),
    );
    assert.throws(() => plan(b, 0), RangeError);
  });
});

describe('createExecutionPlan: key groups', () => {
  it('assigns keyed subtasks contiguous key-group ranges covering [0, maxP) exactly', () => {
    for (const [parallelism, maxParallelism] of [[1, 128], [2, 128], [3, 128], [7, 10], [5, 5], [200, -1]] as const) {
      const b = new GraphBuilder();
      const s = b.source('Source', { parallelism: 2 });
      b.op('Keyed Aggregation', s, { parallelism, maxParallelism, partitioner: 'HASH', key: KEY0 });
      const p = plan(b, 256);
      const v = p.vertices[1]!;
      assert.equal(v.vertex.keyed, true);
      let next = 0;
      for (const sub of v.subtasks) {
        const r = sub.keyGroupRange!;
        assert.equal(r.start, next);
        assert.ok(r.end >= r.start);
        next = r.end + 1;
      }
      assert.equal(next, v.vertex.maxParallelism);
      assert.ok(p.vertices[0]!.subtasks.every((sub) => sub.keyGroupRange === undefined));
    }
  });
});

describe('createExecutionPlan: buffers', () => {
  it('sizes one pool per producer subtask and output edge, and sums them', () => {
    const b = new GraphBuilder();
    const s = b.source('Source', { parallelism: 2 });
    const m = b.op('Map', s, { parallelism: 3, partitioner: 'HASH', key: KEY0 });
    b.op('Sink', m, { parallelism: 3, partitioner: 'RESCALE' });
    const p = plan(b);
    const pool3 = producerPoolSize(3, NET); // 2*3+1 = 7 min, 2*3+8 = 14 max
    const pool1 = producerPoolSize(1, NET); // 3 min, 10 max
    assert.deepEqual(p.vertices[0]!.subtasks.map((s) => s.outputs[0]!.pool), [pool3, pool3]);
    assert.deepEqual(p.vertices[1]!.subtasks.map((s) => s.outputs[0]!.pool), [pool1, pool1, pool1]);
    assert.deepEqual(p.vertices[2]!.subtasks.map((s) => s.outputs.length), [0, 0, 0]);
    assert.equal(p.totals.requiredSegments, 2 * 7 + 3 * 3);
    assert.equal(p.totals.maxSegments, 2 * 14 + 3 * 10);
    assert.equal(p.totals.availableSegments, NET.numSegments);
  });

  it("fails before the job starts with Flink's insufficient-buffers message", () => {
    const b = new GraphBuilder();
    const s = b.source('Source', { parallelism: 8 });
    b.op('Map', s, { parallelism: 8, partitioner: 'REBALANCE' });
    // 8 producers x (8 x 2 + 1) = 136 segments needed.
    assert.equal(plan(b, 8, networkConfig(136)).totals.requiredSegments, 136);
    assert.throws(
      () => plan(b, 8, networkConfig(135)),
      (e: unknown) =>
        e instanceof InsufficientNetworkBuffersError &&
        e.required === 136 &&
        e.available === 135 &&
        /Insufficient number of network buffers: required 136, but only 135 available/.test(e.message),
    );
  });
});
