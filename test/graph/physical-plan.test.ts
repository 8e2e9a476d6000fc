/**
 * The plan, not the workers, decides the physical choices: native or js keyed aggregation per
 * operator, combiners on keyed edges (BATCH only, into native sum/min/max), the serializer of
 * every edge and of each input of a two-input operator. Planned from a real job module
 * (test/fixtures/jobs/physical.ts) through the same planJob the runtime and `strom explain` use.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planJob } from '../../src/client/plan-job.js';
import type { ExecutionPlan } from '../../src/graph/execution-plan.js';
import physical from '../fixtures/jobs/physical.js';

function plan(mode: 'STREAMING' | 'BATCH'): ExecutionPlan {
  return planJob(physical, { 'execution.runtime-mode': mode, 'parallelism.default': 2 }).plan;
}

function nodeId(p: ExecutionPlan, name: string): number {
  const node = p.jobGraph.streamGraph.nodes.find((n) => n.name === name);
  assert.ok(node, `no operator named ${name}`);
  return node.id;
}

/** The JobEdges into the operator `name`, with their physical choices. */
function edgesInto(p: ExecutionPlan, name: string) {
  const id = nodeId(p, name);
  return p.edges.filter((e) => e.edge.streamEdge.target === id);
}

describe('physical plan', () => {
  it('runs keyed aggregations natively exactly for field keys on declared, native-readable types', () => {
    const p = plan('STREAMING');
    const impl = (name: string) => p.operators[nodeId(p, name)]!.implementation;
    assert.equal(impl('Native Sum'), 'native');
    assert.equal(impl('Native Count'), 'native');
    assert.equal(impl('Selector Sum'), 'js', 'a key selector function needs JS values');
    assert.equal(impl('Generic Max'), 'js', 'undeclared records are GENERIC');
    assert.equal(impl('Reduce'), 'js', 'reduce runs a user function');
    assert.equal(impl('Typed'), undefined, 'a map has no aggregation choice');
  });

  it('inserts a combiner only in BATCH, only on the keyed edge into a native sum/min/max', () => {
    const streaming = plan('STREAMING');
    assert.ok(streaming.edges.every((e) => e.combiner === undefined), 'STREAMING must emit every update: no combiner');
    const batch = plan('BATCH');
    assert.deepEqual(edgesInto(batch, 'Native Sum').map((e) => e.combiner), [
      { aggregation: 'sum', field: 1, keyFields: [0], type: { name: 'TUPLE(STRING, DOUBLE)', declaredBy: nodeId(batch, 'Typed') } },
    ]);
    for (const name of ['Native Count', 'Selector Sum', 'Generic Max', 'Reduce', 'Mixed', 'Co-Map']) {
      assert.ok(edgesInto(batch, name).every((e) => e.combiner === undefined), `no combiner into ${name}`);
    }
  });

  it('gives every edge the serializer of its consumer input: declared, GENERIC, or GENERIC for a mixed union', () => {
    const p = plan('BATCH');
    const serializers = (name: string) => edgesInto(p, name).map((e) => e.serializer.name);
    assert.deepEqual(serializers('Native Sum'), ['TUPLE(STRING, DOUBLE)']);
    assert.deepEqual(serializers('Generic Max'), ['GENERIC']);
    assert.deepEqual(serializers('Mixed'), ['GENERIC', 'GENERIC'], 'a declared and an undeclared stream: GENERIC on both');
    assert.deepEqual(p.operators[nodeId(p, 'Native Sum')]!.inputTypes, [{ name: 'TUPLE(STRING, DOUBLE)', declaredBy: nodeId(p, 'Typed') }]);
  });

  it('gives each input of a two-input operator its own type and marks its channels with the input index', () => {
    const p = plan('STREAMING');
    const coMap = nodeId(p, 'Co-Map');
    assert.deepEqual(
      p.operators[coMap]!.inputTypes.map((t) => t.name),
      ['TUPLE(STRING, DOUBLE)', 'DOUBLE'],
    );
    assert.deepEqual(edgesInto(p, 'Co-Map').map((e) => [e.edge.streamEdge.inputIndex, e.serializer.name]), [
      [0, 'TUPLE(STRING, DOUBLE)'],
      [1, 'DOUBLE'],
    ]);
    const vertex = p.vertices[p.jobGraph.nodes[coMap]!.vertexId]!;
    for (const sub of vertex.subtasks) {
      for (const channel of sub.inputChannels) {
        assert.equal(channel.inputIndex, p.jobGraph.edges[channel.edgeIndex]!.streamEdge.inputIndex);
      }
      assert.deepEqual(new Set(sub.inputChannels.map((c) => c.inputIndex)), new Set([0, 1]));
    }
  });
});
