import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineJob } from '../../src/api/define-job.js';
import { StreamExecutionEnvironment } from '../../src/api/stream-execution-environment.js';
import { AUTO_WATERMARK_INTERVAL } from '../../src/config/config-options.js';
import { explain } from '../../src/client/plan-job.js';
import { WatermarkStrategy } from '../../src/eventtime/watermark-strategy.js';
import { fingerprint } from '../../src/graph/stream-graph.js';
import { Types } from '../../src/types/type-information.js';

const delayed = WatermarkStrategy.forBoundedOutOfOrderness<{ t: number }>(5000)
  .withTimestampAssigner((e) => e.t)
  .withIdleness(60_000);

test('assignTimestampsAndWatermarks adds a chained Timestamps/Watermarks node that keeps the declared type', () => {
  const env = new StreamExecutionEnvironment();
  env.fromSequence(1, 10).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>()).map((x: number) => x).print();
  const graph = env.getStreamGraph('job');
  const node = graph.nodes[1]!;
  assert.deepEqual([node.name, node.operator.kind, node.chaining, node.outputType], ['Timestamps/Watermarks', 'timestampsAndWatermarks', 'ALWAYS', Types.DOUBLE]);
});

test('fromSource takes a strategy as its 2nd argument, or a name as before', () => {
  const env = new StreamExecutionEnvironment();
  const factory = () => [{ t: 1 }];
  const old = env.fromSource(factory, 'Old style', Types.GENERIC as never);
  const plain = env.fromSource(factory);
  const withStrategy = env.fromSource(factory, delayed, 'Events');
  const withStrategyAndType = env.fromSource(() => ['a'], WatermarkStrategy.noWatermarks<string>(), 'Lines', Types.STRING);
  assert.deepEqual(
    [old, plain, withStrategy, withStrategyAndType].map((s) => [s.node.name, s.node.operator.kind === 'source' && s.node.operator.watermarkStrategy?.toString()]),
    [
      ['Source: Old style', undefined],
      ['Source: Custom Source', undefined],
      ['Source: Events', 'forBoundedOutOfOrderness(5000 ms).withTimestampAssigner().withIdleness(60000 ms)'],
      ['Source: Lines', 'noWatermarks()'],
    ],
  );
  assert.equal(withStrategyAndType.type, Types.STRING);
});

test('the strategy enters the fingerprint: a worker building another strategy is caught', () => {
  const build = (strategy: WatermarkStrategy<number>) => {
    const env = new StreamExecutionEnvironment();
    env.fromSequence(1, 2).assignTimestampsAndWatermarks(strategy).print();
    return fingerprint(env.getStreamGraph('job'));
  };
  assert.notEqual(build(WatermarkStrategy.forBoundedOutOfOrderness(10)), build(WatermarkStrategy.forBoundedOutOfOrderness(20)));
  assert.equal(build(WatermarkStrategy.forMonotonousTimestamps()), build(WatermarkStrategy.forMonotonousTimestamps()));
});

test('explain shows the watermark strategy of sources and of assignTimestampsAndWatermarks', () => {
  const job = defineJob((env) => {
    env
      .fromSource(() => [{ t: 1 }], delayed, 'Events')
      .map((e: { t: number }) => e)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps())
      .print();
    return 'Event time';
  });
  const text = explain(job, { config: { 'parallelism.default': 1 } });
  assert.match(text, /chain: Source: Events \(#0\) -> Map \(#1\) -> Timestamps\/Watermarks \(#2\) -> Sink: Print to Std\. Out \(#3\)/);
  assert.match(text, /operator #0: Source: Events \[watermarks: forBoundedOutOfOrderness\(5000 ms\)\.withTimestampAssigner\(\)\.withIdleness\(60000 ms\)\]/);
  assert.match(text, /operator #2: Timestamps\/Watermarks \[watermarks: forMonotonousTimestamps\(\)\]/);
});

test('bad arguments get errors naming the problem and the fix', () => {
  const env = new StreamExecutionEnvironment();
  const stream = env.fromSequence(1, 2);
  assert.throws(() => stream.assignTimestampsAndWatermarks({ createWatermarkGenerator() {} } as never), {
    name: 'TypeError',
    message: /watermark strategy.*expected a WatermarkStrategy, e\.g\. WatermarkStrategy\.forBoundedOutOfOrderness/,
  });
  assert.throws(() => env.fromSource(() => [], 42 as never), { name: 'TypeError', message: /fromSource name 42.*fromSource\(factory, WatermarkStrategy, name\?, type\?\)/ });
  assert.throws(() => env.fromSource(() => [], delayed as never, 'x', 'STRING' as never), { name: 'TypeError', message: /fromSource type "STRING"/ });
  assert.throws(() => env.setAutoWatermarkInterval(-5), { message: /pipeline\.auto-watermark-interval/ });
  env.setAutoWatermarkInterval(50);
  assert.equal(env.config.get(AUTO_WATERMARK_INTERVAL), 50);
});
