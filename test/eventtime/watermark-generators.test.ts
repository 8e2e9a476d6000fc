import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AscendingTimestampsWatermarks } from '../../src/eventtime/ascending-timestamps-watermarks.js';
import { BoundedOutOfOrdernessWatermarks } from '../../src/eventtime/bounded-out-of-orderness-watermarks.js';
import type { WatermarkGenerator } from '../../src/eventtime/watermark-generator.js';
import type { WatermarkOutput } from '../../src/eventtime/watermark-output.js';
import { WatermarkStrategy } from '../../src/eventtime/watermark-strategy.js';
import { WatermarksWithIdleness } from '../../src/eventtime/watermarks-with-idleness.js';

/** A WatermarkOutput that records every call, unfiltered, as the generator made it. */
class RecordingWatermarkOutput implements WatermarkOutput {
  readonly calls: (number | 'idle' | 'active')[] = [];
  emitWatermark(watermark: number): void {
    this.calls.push(watermark);
  }
  markIdle(): void {
    this.calls.push('idle');
  }
  markActive(): void {
    this.calls.push('active');
  }
}

function feed(generator: WatermarkGenerator<unknown>, output: WatermarkOutput, timestamps: number[]): void {
  for (const t of timestamps) generator.onEvent(t, t, output);
}

test('bounded out-of-orderness emits the largest timestamp seen - delay - 1, and the minimum before any event', () => {
  const generator = new BoundedOutOfOrdernessWatermarks<unknown>(5);
  const output = new RecordingWatermarkOutput();
  generator.onPeriodicEmit(output);
  feed(generator, output, [100, 90, 120, 118]);
  generator.onPeriodicEmit(output);
  feed(generator, output, [110]);
  generator.onPeriodicEmit(output);
  feed(generator, output, [126]);
  generator.onPeriodicEmit(output);
  assert.deepEqual(output.calls, [Number.NEGATIVE_INFINITY, 114, 114, 120]);
});

test('monotonous timestamps emit the largest timestamp seen - 1; events never emit on their own', () => {
  const generator = new AscendingTimestampsWatermarks<unknown>();
  const output = new RecordingWatermarkOutput();
  feed(generator, output, [7, 8, 8]);
  assert.deepEqual(output.calls, []);
  generator.onPeriodicEmit(output);
  assert.deepEqual(output.calls, [7]);
});

test('the strategies create the generators with Flink numbers; noWatermarks never emits', () => {
  const context = { getInputActivityClock: () => ({ relativeTimeMillis: () => 0 }) };
  const cases: [WatermarkStrategy<number>, number[]][] = [
    [WatermarkStrategy.forBoundedOutOfOrderness<number>(1000), [4000 - 1000 - 1]],
    [WatermarkStrategy.forMonotonousTimestamps<number>(), [4000 - 1]],
    [WatermarkStrategy.noWatermarks<number>(), []],
  ];
  for (const [strategy, expected] of cases) {
    const generator = strategy.createWatermarkGenerator(context);
    const output = new RecordingWatermarkOutput();
    feed(generator as WatermarkGenerator<unknown>, output, [3000, 4000, 2500]);
    generator.onPeriodicEmit(output);
    assert.deepEqual(output.calls, expected, strategy.toString());
  }
});

test('a timestamp assigner replaces the record timestamp; without one the record keeps its own', () => {
  const byField = WatermarkStrategy.forMonotonousTimestamps<{ t: number }>().withTimestampAssigner((e) => e.t);
  assert.equal(byField.createTimestampAssigner().extractTimestamp({ t: 42 }, 7), 42);
  const byObject = WatermarkStrategy.noWatermarks<{ t: number }>().withTimestampAssigner({ extractTimestamp: (e, previous) => e.t + previous });
  assert.equal(byObject.createTimestampAssigner().extractTimestamp({ t: 1 }, 10), 11);
  assert.equal(WatermarkStrategy.forMonotonousTimestamps<{ t: number }>().createTimestampAssigner().extractTimestamp({ t: 42 }, 7), 7);
  assert.equal(byField.toString(), 'forMonotonousTimestamps().withTimestampAssigner()');
});

test('a custom generator from forGenerator gets the supplier context; punctuated watermarks come from onEvent', () => {
  let clockSeen: unknown;
  const strategy = WatermarkStrategy.forGenerator<{ t: number; end?: boolean }>((context) => {
    clockSeen = context.getInputActivityClock();
    return {
      onEvent: (event, timestamp, output) => {
        if (event.end) output.emitWatermark(timestamp);
      },
      onPeriodicEmit: () => {},
    };
  });
  const clock = { relativeTimeMillis: () => 0 };
  const generator = strategy.createWatermarkGenerator({ getInputActivityClock: () => clock });
  const output = new RecordingWatermarkOutput();
  generator.onEvent({ t: 5 }, 5, output);
  generator.onEvent({ t: 9, end: true }, 9, output);
  assert.deepEqual(output.calls, [9]);
  assert.equal(clockSeen, clock);
});

test('idleness: idle once more than the timeout passed since the first periodic check without events; the next event makes it active', () => {
  let now = 1000;
  const clock = { relativeTimeMillis: () => now };
  const generator = new WatermarksWithIdleness<unknown>(new AscendingTimestampsWatermarks(), 500, clock);
  const output = new RecordingWatermarkOutput();
  feed(generator, output, [10]);
  generator.onPeriodicEmit(output); // activity since the last check: asks the inner generator
  now = 1200;
  generator.onPeriodicEmit(output); // no event since: the inactivity timer starts at 1200
  now = 1700;
  generator.onPeriodicEmit(output); // 500 ms: not more than the timeout yet
  now = 1701;
  generator.onPeriodicEmit(output); // 501 ms: idle
  now = 5000;
  generator.onPeriodicEmit(output); // already idle: nothing more
  feed(generator, output, [20]);
  generator.onPeriodicEmit(output);
  assert.deepEqual(output.calls, [9, 9, 9, 'idle', 'active', 19]);
});

test('a strategy with idleness measures on the clock of the generator context', () => {
  let now = 0;
  const clock = { relativeTimeMillis: () => now };
  const generator = WatermarkStrategy.forMonotonousTimestamps<number>().withIdleness(100).createWatermarkGenerator({ getInputActivityClock: () => clock });
  const output = new RecordingWatermarkOutput();
  generator.onPeriodicEmit(output);
  now = 101;
  generator.onPeriodicEmit(output);
  assert.deepEqual(output.calls, [Number.NEGATIVE_INFINITY, 'idle']);
});

test('bad arguments get errors that name the problem and what is accepted', () => {
  assert.throws(() => WatermarkStrategy.forBoundedOutOfOrderness(-1), { name: 'RangeError', message: /maxOutOfOrderness -1: expected milliseconds as an integer >= 0/ });
  assert.throws(() => WatermarkStrategy.forBoundedOutOfOrderness(1.5), { name: 'RangeError', message: /maxOutOfOrderness/ });
  assert.throws(() => new BoundedOutOfOrdernessWatermarks('5' as unknown as number), { name: 'RangeError' });
  assert.throws(() => WatermarkStrategy.forMonotonousTimestamps().withIdleness(0), { name: 'RangeError', message: /idleTimeout 0: expected milliseconds as an integer > 0/ });
  assert.throws(() => WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner('time' as never), {
    name: 'TypeError',
    message: /timestamp assigner "time".*expected a function \(element, recordTimestamp\)/,
  });
  assert.throws(() => WatermarkStrategy.forGenerator(42 as never), { name: 'TypeError', message: /watermark generator supplier 42/ });
  const broken = WatermarkStrategy.forGenerator(() => ({ onEvent() {} }) as never);
  assert.throws(() => broken.createWatermarkGenerator({ getInputActivityClock: () => ({ relativeTimeMillis: () => 0 }) }), {
    name: 'TypeError',
    message: /onEvent\(event, timestamp, output\) and onPeriodicEmit\(output\)/,
  });
});
