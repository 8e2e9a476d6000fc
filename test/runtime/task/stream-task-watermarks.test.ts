/**
 * A real StreamTask (in this thread) whose head is a keyed aggregation fed by two upstream
 * subtasks through real channels: records carry their timestamps through it, its input watermark
 * is the minimum over the two channels (StatusWatermarkValve), an idle channel stops counting,
 * the end of input counts as MAX_WATERMARK, and the watermarks reach the metrics memory. Both
 * aggregation implementations: JS (records) and native (slices of frames).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamExecutionEnvironment } from '../../../src/api/stream-execution-environment.js';
import type { RecordType } from '../../../src/graph/physical-plan.js';
import type { StreamNode } from '../../../src/graph/stream-graph.js';
import { ChannelGroup } from '../../../src/io/channel-group.js';
import { ChannelProducer } from '../../../src/io/channel-producer.js';
import { ForwardPartitioner } from '../../../src/io/partitioner/forward-partitioner.js';
import { ReadStatus, RecordReader } from '../../../src/io/record-reader.js';
import { RecordWriter } from '../../../src/io/record-writer.js';
import { NO_TIMESTAMP } from '../../../src/io/stream-element.js';
import { ManagedMemory } from '../../../src/memory/managed-memory.js';
import { NetworkBufferPool } from '../../../src/memory/network-buffer-pool.js';
import type { TaskDeployment } from '../../../src/runtime/deployment.js';
import { createMetricsBuffer, taskBlockOffset, TaskWord } from '../../../src/runtime/metrics/metrics-layout.js';
import { WatermarkStatus } from '../../../src/runtime/operators/watermark-status.js';
import { StepResult, StreamTask } from '../../../src/runtime/task/stream-task.js';
import { Types } from '../../../src/types/type-information.js';

const TYPE = Types.TUPLE(Types.STRING, Types.DOUBLE);
type Row = [string, number];

function recordTypeOf(node: StreamNode): RecordType {
  return node.outputType ? { name: node.outputType.name, declaredBy: node.id } : { name: 'GENERIC', declaredBy: undefined };
}

/** A keyed sum task with two input channels, the writers of its two upstream subtasks, and a reader of its output. */
function keyedSumTask(implementation: 'js' | 'native', mode: 'STREAMING' | 'BATCH' = 'STREAMING') {
  const env = new StreamExecutionEnvironment();
  env.fromSource(() => [], 'Upstream', TYPE).keyBy(0).sum(1).rebalance().print();
  const graph = env.getStreamGraph();
  const source = graph.nodes.find((n) => n.operator.kind === 'source')!;
  const sum = graph.nodes.find((n) => n.operator.kind === 'aggregate')!;
  const outEdge = graph.edges.findIndex((e) => e.source === sum.id);
  const pool = NetworkBufferPool.create({ segmentSize: 256, numSegments: 256 });
  const input = ChannelGroup.create(2, 64);
  const output = ChannelGroup.create(1, 64);
  const metrics = createMetricsBuffer(1, 1);
  const deployment: TaskDeployment = {
    vertexId: 1,
    name: 'Keyed Aggregation (1/1)',
    subtaskIndex: 0,
    parallelism: 1,
    nodeIds: [sum.id],
    operators: [{ nodeId: sum.id, inputTypes: [recordTypeOf(source)], implementation }],
    maxParallelism: 128,
    keyGroupRange: { start: 0, end: 127 },
    inputs: [{ inputIndex: 0, rings: [0, 1], type: recordTypeOf(source) }],
    outputs: [
      {
        streamEdgeIndex: outEdge,
        partitioner: 'FORWARD',
        serializer: recordTypeOf(sum),
        combiner: undefined,
        localPool: pool.createLocalPool(1, 2, 64, 128),
        consumerMaxParallelism: 128,
        channels: [{ group: output.buffer, ring: 0 }],
      },
    ],
    collect: undefined,
    metricsBlock: 0,
  };
  const task = new StreamTask(deployment, {
    graph,
    pool,
    inputGroup: input,
    groups: (buffer) => (buffer === output.buffer ? output : ChannelGroup.attach(buffer)),
    managedMemory: ManagedMemory.create(16 << 20),
    flushClock: new Int32Array(new SharedArrayBuffer(16)),
    mode,
    bufferTimeout: 0,
    metrics,
  });
  const upstream = [0, 1].map(
    (ring) =>
      new RecordWriter<Row>({
        pool,
        localPool: pool.createLocalPool(1, 2, 64, 128),
        channels: [new ChannelProducer(input, ring)],
        serializer: TYPE.createSerializer(),
        selector: new ForwardPartitioner(),
        bufferTimeout: 0,
      }),
  );
  const reader = new RecordReader<Row>(pool, output, TYPE.createSerializer());
  const words = new Float64Array(metrics, taskBlockOffset(1, 0), 32);
  /** Steps the task until it has nothing to do; returns what came out since the last call. */
  const run = (): string[] => {
    for (let i = 0; i < 100; i++) {
      const result = task.step(1000);
      if (result === StepResult.IDLE || result === StepResult.FINISHED) break;
      assert.notEqual(result, StepResult.BACKPRESSURED);
    }
    const seen: string[] = [];
    for (let status = reader.next(); status !== ReadStatus.EMPTY && status !== ReadStatus.END; status = reader.next()) {
      if (status === ReadStatus.RECORD) seen.push(`${reader.value![0]}=${reader.value![1]}@${reader.timestamp === NO_TIMESTAMP ? '-' : reader.timestamp}`);
      else if (status === ReadStatus.WATERMARK) seen.push(`wm:${reader.watermark}`);
      else if (status === ReadStatus.WATERMARK_STATUS) seen.push(`st:${reader.watermarkStatus}`);
    }
    return seen;
  };
  const watermarks = () => ({ input: words[TaskWord.CURRENT_INPUT_WATERMARK], output: words[TaskWord.CURRENT_OUTPUT_WATERMARK] });
  return { task, upstream, run, watermarks };
}

describe('a keyed task after two upstream subtasks', () => {
  for (const implementation of ['js', 'native'] as const) {
    it(`${implementation}: forwards the minimum watermark of its channels, in order with the records, and ends with MAX_WATERMARK`, () => {
      const { task, upstream, run, watermarks } = keyedSumTask(implementation);
      const [a, b] = upstream as [RecordWriter<Row>, RecordWriter<Row>];
      a.emit(['x', 1], 1_000);
      a.broadcastWatermark(1_000);
      b.emit(['x', 2], 500);
      b.broadcastWatermark(400);
      a.emit(['y', 5], 1_100);
      const first = run();
      // Both aggregations emit with the input record's timestamp (Flink's rolling aggregation).
      const ts = (t: number) => String(t);
      assert.deepEqual(first.filter((e) => !e.startsWith('wm')).sort(), [`x=1@${ts(1000)}`, `x=3@${ts(500)}`, `y=5@${ts(1100)}`].sort());
      assert.deepEqual(first.filter((e) => e.startsWith('wm')), ['wm:400'], 'the minimum of 1000 and 400');
      assert.deepEqual(watermarks(), { input: 400, output: 400 });

      b.broadcastWatermark(2_000);
      b.emit(['y', 1], 2_001);
      assert.deepEqual(run(), ['wm:1000', `y=6@${ts(2001)}`], 'channel a now holds the minimum; the record after the watermark stays after it');

      b.broadcastWatermarkStatus(WatermarkStatus.IDLE);
      a.broadcastWatermark(1_500);
      assert.deepEqual(run(), ['wm:1500'], 'an idle channel does not hold the watermark back');
      assert.deepEqual(watermarks(), { input: 1_500, output: 1_500 });

      a.close();
      b.close();
      assert.deepEqual(run(), ['wm:Infinity'], 'the end of input counts as MAX_WATERMARK');
      assert.equal(task.step(1000), StepResult.FINISHED);
      assert.deepEqual(watermarks(), { input: Infinity, output: Infinity });
    });
  }

  for (const implementation of ['js', 'native'] as const) {
    it(`${implementation}, BATCH: the final watermark follows the finals`, () => {
      const { upstream, run } = keyedSumTask(implementation, 'BATCH');
      const [a, b] = upstream as [RecordWriter<Row>, RecordWriter<Row>];
      a.emit(['x', 1]);
      b.emit(['x', 2]);
      b.emit(['y', 4]);
      a.broadcastWatermark(Number.POSITIVE_INFINITY);
      b.broadcastWatermark(Number.POSITIVE_INFINITY);
      a.close();
      b.close();
      const out = run();
      assert.deepEqual(out.at(-1), 'wm:Infinity', `MAX_WATERMARK must come last: ${out.join(', ')}`);
      assert.deepEqual(out.slice(0, -1).map((e) => e.replace(/@.*/, '')).sort(), ['x=3', 'y=4']);
    });
  }
});
