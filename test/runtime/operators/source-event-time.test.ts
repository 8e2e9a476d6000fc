import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TEMPORARILY_IDLE, TimestampedValue, Watermark } from '../../../src/eventtime/source-markers.js';
import { WatermarkStrategy } from '../../../src/eventtime/watermark-strategy.js';
import { SourceOperator } from '../../../src/runtime/operators/source-operator.js';
import { MAX_WATERMARK, NO_TIMESTAMP } from '../../../src/runtime/operators/stream-operator.js';
import { WatermarkStatus } from '../../../src/runtime/operators/watermark-status.js';
import { CustomSourceReader } from '../../../src/runtime/sources/custom-source-reader.js';
import { SequenceSourceReader } from '../../../src/runtime/sources/sequence-source-reader.js';
import { SourceStatus, UNBLOCKED, type SourceReader } from '../../../src/runtime/sources/source-reader.js';
import { ManualProcessingTimeService } from '../../../src/runtime/time/processing-time-service.js';
import { CollectingOutput } from '../../support/collecting-output.js';

function source(reader: SourceReader<unknown>, strategy: WatermarkStrategy<unknown> | undefined, readsMarkers: boolean, interval = 200, emitProgressiveWatermarks = true) {
  const time = new ManualProcessingTimeService(0);
  const output = new CollectingOutput();
  const operator = new SourceOperator('Source: Test', reader, output, {
    strategy,
    readsMarkers,
    timing: { processingTime: time, autoWatermarkInterval: interval, emitProgressiveWatermarks },
  });
  operator.open();
  /** Polls until the reader ends, then ends the input as the task does. */
  const drain = () => {
    while (operator.poll(2, UNBLOCKED) !== SourceStatus.END);
    operator.processWatermark(MAX_WATERMARK);
  };
  return { time, output, operator, drain };
}

const custom = (items: unknown[]) => new CustomSourceReader(() => items, { subtaskIndex: 0, parallelism: 1 });

test('a custom source carries event time itself: timestamped records, its own watermarks, idleness; markers are not records', () => {
  const items = [new TimestampedValue('a', 100), 'plain', new Watermark(99), new Watermark(50), TEMPORARILY_IDLE, new TimestampedValue('b', 200), TEMPORARILY_IDLE, new Watermark(150)];
  const { output, operator, drain } = source(custom(items), undefined, true);
  drain();
  assert.deepEqual(output.emitted, [
    { kind: 'record', value: 'a', timestamp: 100 },
    { kind: 'record', value: 'plain', timestamp: NO_TIMESTAMP },
    { kind: 'watermark', watermark: 99 },
    { kind: 'status', status: WatermarkStatus.IDLE },
    { kind: 'status', status: WatermarkStatus.ACTIVE },
    { kind: 'record', value: 'b', timestamp: 200 },
    { kind: 'status', status: WatermarkStatus.IDLE },
    { kind: 'status', status: WatermarkStatus.ACTIVE },
    { kind: 'watermark', watermark: 150 },
    { kind: 'watermark', watermark: MAX_WATERMARK },
  ]);
  assert.equal(operator.recordsOut, 3);
});

test("BATCH mode drops a source's own watermarks and idleness, keeps its timestamps, and ends with MAX_WATERMARK", () => {
  const items = [new TimestampedValue('a', 100), new Watermark(99), TEMPORARILY_IDLE, new TimestampedValue('b', 200)];
  const { output, drain } = source(custom(items), undefined, true, 200, false);
  drain();
  assert.deepEqual(output.emitted, [
    { kind: 'record', value: 'a', timestamp: 100 },
    { kind: 'record', value: 'b', timestamp: 200 },
    { kind: 'watermark', watermark: MAX_WATERMARK },
  ]);
});

test('a strategy runs inside the source: the yielded timestamp is the record timestamp its assigner sees, one output for both watermarks', () => {
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<unknown>(10);
  const items = [new TimestampedValue('a', 100), new TimestampedValue('b', 120), new Watermark(200)];
  const { time, output, drain } = source(custom(items), strategy, true);
  drain();
  time.setCurrentTime(1000);
  assert.deepEqual(output.emitted, [
    { kind: 'record', value: 'a', timestamp: 100 },
    { kind: 'record', value: 'b', timestamp: 120 },
    { kind: 'watermark', watermark: 200 },
    // the strategy's last periodic emit (120 - 10 - 1) is below 200: dropped; then the end
    { kind: 'watermark', watermark: MAX_WATERMARK },
  ]);
});

test('a split source with a strategy: periodic watermarks on the processing clock, an assigner on the values', () => {
  const strategy = WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((n) => n * 1000) as WatermarkStrategy<unknown>;
  const reader = new SequenceSourceReader(1, 6, { subtaskIndex: 1, parallelism: 2 }); // this subtask's split: 4..6
  const { time, output, operator } = source(reader, strategy, false, 50);
  operator.poll(2, UNBLOCKED);
  time.setCurrentTime(50);
  while (operator.poll(2, UNBLOCKED) !== SourceStatus.END);
  time.setCurrentTime(100);
  operator.processWatermark(MAX_WATERMARK);
  const shape = output.emitted.map((e) => (e.kind === 'record' ? `${String(e.value)}@${e.timestamp}` : e.kind === 'watermark' ? `W${e.watermark}` : e.kind));
  assert.deepEqual(shape, ['4@4000', '5@5000', 'W4999', '6@6000', 'W5999', 'WInfinity']);
  assert.equal(time.nextTimerAt(), Number.POSITIVE_INFINITY, 'the periodic timer stops at the end of input');
});

test('markers with bad timestamps fail where they are made, naming what is accepted', () => {
  assert.throws(() => new TimestampedValue('a', Number.NaN), { name: 'TypeError', message: /TimestampedValue timestamp NaN: expected epoch milliseconds/ });
  assert.throws(() => new Watermark('5' as unknown as number), { name: 'TypeError', message: /Watermark timestamp "5"/ });
});
