import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WatermarkStrategy } from '../../../src/eventtime/watermark-strategy.js';
import { UserFunctionError } from '../../../src/errors.js';
import { MAX_WATERMARK, NO_TIMESTAMP } from '../../../src/runtime/operators/stream-operator.js';
import { TimestampsAndWatermarksOperator } from '../../../src/runtime/operators/timestamps-and-watermarks-operator.js';
import { WatermarkStatus } from '../../../src/runtime/operators/watermark-status.js';
import { ManualProcessingTimeService } from '../../../src/runtime/time/processing-time-service.js';
import { CollectingOutput, type Emitted } from '../../support/collecting-output.js';

interface Event {
  id: string;
  t: number;
}

function harness(strategy: WatermarkStrategy<Event>, options: { interval?: number; mode?: 'STREAMING' | 'BATCH' } = {}) {
  const time = new ManualProcessingTimeService(0);
  const output = new CollectingOutput();
  const operator = new TimestampsAndWatermarksOperator(
    'Timestamps/Watermarks',
    strategy as WatermarkStrategy<unknown>,
    { processingTime: time, autoWatermarkInterval: options.interval ?? 200, emitProgressiveWatermarks: (options.mode ?? 'STREAMING') === 'STREAMING' },
    output,
  );
  operator.initializeState({ isRestored: false });
  operator.open();
  return { time, output, operator };
}

const byTime = WatermarkStrategy.forBoundedOutOfOrderness<Event>(1000).withTimestampAssigner((e) => e.t);
const record = (id: string, t: number): Emitted => ({ kind: 'record', value: { id, t }, timestamp: t });
const watermark = (w: number): Emitted => ({ kind: 'watermark', watermark: w });

test('out-of-order input with a bounded delay: records get their timestamps, watermarks come every interval and only move forward', () => {
  const { time, output, operator } = harness(byTime);
  operator.processElement({ id: 'a', t: 5000 }, NO_TIMESTAMP);
  operator.processElement({ id: 'b', t: 4200 }, NO_TIMESTAMP); // 800 ms late: within the bound
  time.setCurrentTime(199);
  assert.deepEqual(output.emitted, [record('a', 5000), record('b', 4200)]);
  time.setCurrentTime(200); // the first period: 5000 - 1000 - 1
  operator.processElement({ id: 'c', t: 3000 }, NO_TIMESTAMP); // later than the bound: still passes, as a late record
  time.setCurrentTime(400); // no new maximum: no new watermark
  operator.processElement({ id: 'd', t: 7000 }, NO_TIMESTAMP);
  time.setCurrentTime(600);
  assert.deepEqual(output.emitted, [record('a', 5000), record('b', 4200), watermark(3999), record('c', 3000), record('d', 7000), watermark(5999)]);
});

test('the periodic timer is registered again after each emission, relative to the clock when it fired', () => {
  const { time, output, operator } = harness(byTime, { interval: 100 });
  operator.processElement({ id: 'a', t: 2000 }, NO_TIMESTAMP);
  time.setCurrentTime(150); // fires the timer of 100; the next is at 150 + 100
  operator.processElement({ id: 'b', t: 3000 }, NO_TIMESTAMP);
  time.setCurrentTime(249);
  assert.deepEqual(output.emitted.filter((e) => e.kind === 'watermark'), [watermark(999)]);
  time.setCurrentTime(250);
  assert.deepEqual(output.emitted.filter((e) => e.kind === 'watermark'), [watermark(999), watermark(1999)]);
});

test('upstream watermarks and statuses are swallowed; MAX_WATERMARK at the end is forwarded after a last periodic emit', () => {
  const { time, output, operator } = harness(byTime);
  operator.processElement({ id: 'a', t: 5000 }, 17);
  operator.processWatermark(100_000);
  operator.processWatermarkStatus(WatermarkStatus.IDLE);
  operator.processElement({ id: 'b', t: 9000 }, NO_TIMESTAMP);
  operator.processWatermark(MAX_WATERMARK);
  assert.deepEqual(output.emitted, [record('a', 5000), record('b', 9000), watermark(7999), watermark(MAX_WATERMARK)]);
  time.setCurrentTime(10_000); // the periodic timer was stopped at the end of input
  assert.equal(output.emitted.length, 4);
});

test('interval 0 turns periodic emission off; BATCH mode emits no watermark but the final one', () => {
  for (const options of [{ interval: 0 }, { mode: 'BATCH' as const }]) {
    const { time, output, operator } = harness(byTime, options);
    operator.processElement({ id: 'a', t: 5000 }, NO_TIMESTAMP);
    time.setCurrentTime(10_000);
    assert.equal(time.nextTimerAt(), Number.POSITIVE_INFINITY);
    operator.processWatermark(MAX_WATERMARK);
    const expectedLast = options.interval === 0 ? [watermark(3999), watermark(MAX_WATERMARK)] : [watermark(MAX_WATERMARK)];
    assert.deepEqual(output.emitted, [record('a', 5000), ...expectedLast], JSON.stringify(options));
  }
});

test('without an assigner records keep the timestamp they carry', () => {
  const { output, operator } = harness(WatermarkStrategy.forMonotonousTimestamps<Event>());
  operator.processElement({ id: 'a', t: 1 }, 1234);
  operator.processElement({ id: 'b', t: 2 }, NO_TIMESTAMP);
  operator.processWatermark(MAX_WATERMARK);
  assert.deepEqual(output.emitted, [
    { kind: 'record', value: { id: 'a', t: 1 }, timestamp: 1234 },
    { kind: 'record', value: { id: 'b', t: 2 }, timestamp: NO_TIMESTAMP },
    watermark(1233),
    watermark(MAX_WATERMARK),
  ]);
});

test('idleness on the manual clock: IDLE after the timeout without records, ACTIVE with the next record', () => {
  const { time, output, operator } = harness(byTime.withIdleness(500), { interval: 100 });
  operator.processElement({ id: 'a', t: 5000 }, NO_TIMESTAMP);
  time.setCurrentTime(100); // activity: watermark 3999
  time.setCurrentTime(200); // first check without records: the inactivity timer starts at 200
  time.setCurrentTime(700); // 500 ms: not yet
  assert.deepEqual(output.emitted, [record('a', 5000), watermark(3999)]);
  time.setCurrentTime(800); // 600 ms > 500: idle, once
  time.setCurrentTime(1500);
  operator.processElement({ id: 'b', t: 6000 }, NO_TIMESTAMP);
  time.setCurrentTime(1600);
  assert.deepEqual(output.emitted, [
    record('a', 5000),
    watermark(3999),
    { kind: 'status', status: WatermarkStatus.IDLE },
    { kind: 'status', status: WatermarkStatus.ACTIVE },
    record('b', 6000),
    watermark(4999),
  ]);
});

test('a punctuated generator emits from onEvent, in order with the records', () => {
  const strategy = WatermarkStrategy.forGenerator<Event>(() => ({
    onEvent: (event, timestamp, output) => {
      if (event.id.startsWith('!')) output.emitWatermark(timestamp);
    },
    onPeriodicEmit: () => {},
  })).withTimestampAssigner((e) => e.t);
  const { output, operator } = harness(strategy, { interval: 0 });
  operator.processElement({ id: 'a', t: 10 }, NO_TIMESTAMP);
  operator.processElement({ id: '!b', t: 20 }, NO_TIMESTAMP);
  operator.processElement({ id: '!c', t: 15 }, NO_TIMESTAMP); // lower: dropped
  assert.deepEqual(output.emitted, [record('a', 10), record('!b', 20), watermark(20), record('!c', 15)]);
});

test('an assigner that returns no epoch milliseconds, or throws, fails with UserFunctionError naming the operator', () => {
  const bad = harness(WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner((e) => String(e.t) as unknown as number));
  assert.throws(() => bad.operator.processElement({ id: 'a', t: 1 }, NO_TIMESTAMP), (error: unknown) => {
    assert.ok(error instanceof UserFunctionError);
    assert.match(error.message, /'extractTimestamp' of operator 'Timestamps\/Watermarks'.*"1".*epoch milliseconds as a safe integer/);
    return true;
  });
  const throwing = harness(
    WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner(() => {
      throw new Error('no time field');
    }),
  );
  assert.throws(() => throwing.operator.processElement({ id: 'a', t: 1 }, NO_TIMESTAMP), { name: 'UserFunctionError', message: /no time field/ });
  const nanGenerator = harness(
    WatermarkStrategy.forGenerator<Event>(() => ({ onEvent: (_e, _t, out) => out.emitWatermark(Number.NaN), onPeriodicEmit: () => {} })),
  );
  assert.throws(() => nanGenerator.operator.processElement({ id: 'a', t: 1 }, 5), { name: 'UserFunctionError', message: /watermark emitted in 'Timestamps\/Watermarks' NaN/ });
});
