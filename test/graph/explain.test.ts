import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createExecutionPlan } from '../../src/graph/execution-plan.js';
import { explainPlan } from '../../src/graph/explain.js';
import { createJobGraph } from '../../src/graph/job-graph.js';
import { GraphBuilder, networkConfig, OPTIONS } from './graph-builder.js';

/** source -> flatMap -> keyBy -> sum -> sink, all at parallelism 2 (Flink's WordCount shape). */
function wordCount(): GraphBuilder {
  const b = new GraphBuilder('WordCount');
  const s = b.source('Source: Collection');
  const fm = b.op('Flat Map', s);
  const agg = b.op('Keyed Aggregation', fm, { partitioner: 'HASH', key: { kind: 'fields', fields: [0] } });
  b.op('Sink: Print to Std. Out', agg);
  return b;
}

function explain(b: GraphBuilder, slots = 2): string {
  const jg = createJobGraph(b.graph(), OPTIONS);
  return explainPlan(createExecutionPlan(jg, { numberOfTaskSlots: slots, network: networkConfig() }));
}

/** Lines trimmed, whitespace collapsed: the assertions are on content, not layout. */
function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => l.length > 0);
}

describe('explainPlan', () => {
  it('describes a WordCount-shaped job as a Flink user would recognise it', () => {
    const text = explain(wordCount());
    const l = lines(text);
    const has = (expected: string) => assert.ok(l.includes(expected), `missing line: ${expected}\n${text}`);
    has('Job: WordCount');
    has('Tasks: 2, operators: 4, subtasks: 4, channels: 4');
    has("Slots: 2 required, 2 available (taskmanager.numberOfTaskSlots); group 'default' slots 0-1");
    // 2 source subtasks x (2 channels x 2 + 1) = 10 min; x (2 x 2 + 8) = 24 max.
    has('Network buffers: 10 required (min), up to 24 (max), 2048 available (segments of 32kb)');
    has('Task 0: Source: Collection -> Flat Map');
    has('Task 1: Keyed Aggregation -> Sink: Print to Std. Out [keyed]');
    assert.equal(l.filter((x) => x === "parallelism: 2, max parallelism: 128, slot sharing group: 'default', slots 0-1").length, 2);
    has('input: HASH(fields 0) from Task 0 (Source: Collection -> Flat Map), 2 -> 2 subtasks, ALL_TO_ALL, 4 channels, serializer GENERIC');
    has('output: HASH(fields 0) to Task 1 (Keyed Aggregation -> Sink: Print to Std. Out), channels per subtask: 2, buffers: 10 min, 24 max, serializer GENERIC');
    has('subtask Keyed Aggregation -> Sink: Print to Std. Out (1/2): slot 0, key groups 0-63, 2 input channels');
    has('subtask Keyed Aggregation -> Sink: Print to Std. Out (2/2): slot 1, key groups 64-127, 2 input channels');
    has('subtask Source: Collection -> Flat Map (2/2): slot 1, 2 output channels');
    // Tasks appear in order.
    assert.ok(text.indexOf('Task 0:') < text.indexOf('Task 1:'));
  });

  it('is deterministic', () => {
    assert.equal(explain(wordCount()), explain(wordCount()));
  });

  it('shows key selectors, pointwise edges and several slot sharing groups', () => {
    const b = new GraphBuilder('Mixed');
    const s = b.source('Source: Numbers', { parallelism: 4 });
    const m = b.op('Map', s, { parallelism: 2, partitioner: 'RESCALE', slotSharingGroup: 'side' });
    b.op('Reduce', m, { partitioner: 'HASH', key: { kind: 'selector', selector: (x) => x } });
    const l = lines(explain(b, 8));
    assert.ok(l.includes("Slots: 6 required, 8 available (taskmanager.numberOfTaskSlots); group 'default' slots 0-3, group 'side' slots 4-5"), l.join('\n'));
    assert.ok(l.includes('input: RESCALE from Task 0 (Source: Numbers), 4 -> 2 subtasks, POINTWISE, 4 channels, serializer GENERIC'), l.join('\n'));
    assert.ok(l.includes('input: HASH(key selector) from Task 1 (Map), 2 -> 2 subtasks, ALL_TO_ALL, 4 channels, serializer GENERIC'), l.join('\n'));
  });
});
