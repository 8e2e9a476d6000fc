/**
 * strom/testing's ProcessFunctionTestHarnesses and the harness they return, on the real
 * operators, state backends (heap and native) and timer service: output in emission order with
 * timestamps and watermarks, event-time and processing-time timers on the manual clock, side
 * outputs, the end of input, snapshot and restore (also into other parallelisms), clear errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  KeyedProcessFunction,
  OutputTag,
  ProcessFunction,
  Types,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessOnTimerContext,
  type ProcessContext,
  type ValueState,
} from '../../src/index.js';
import { assignToKeyGroup } from '../../src/io/key-group-assignment.js';
import { MAX_WATERMARK, ProcessFunctionTestHarnesses, repackageState, StreamRecord, Watermark, type OperatorSubtaskState } from '../../src/testing/index.js';

type Event = { key: string; amount: number };
const byKey = (e: Event) => e.key;

/** Sums per key in a declared DOUBLE ValueState; an event-time timer 10 after each element reports the sum. */
class SumThenReport extends KeyedProcessFunction<string, Event, string> {
  private sum!: ValueState<number>;
  override open(): void {
    this.sum = this.getRuntimeContext().getState(new ValueStateDescriptor('sum', Types.DOUBLE));
  }
  processElement(value: Event, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    this.sum.update((this.sum.value() ?? 0) + value.amount);
    ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 10);
    out.collect(`${ctx.getCurrentKey()}+${value.amount}`);
  }
  override onTimer(timestamp: number, ctx: KeyedProcessOnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()}@${timestamp}=${this.sum.value()}`);
  }
}

const harnessOf = (options: Parameters<typeof ProcessFunctionTestHarnesses.forKeyedProcessFunction>[3] = {}) =>
  ProcessFunctionTestHarnesses.forKeyedProcessFunction(new SumThenReport(), byKey, Types.STRING, options);

describe('forKeyedProcessFunction', () => {
  it('shows records with their timestamps and watermarks in emission order; timers fire before the watermark', () => {
    const harness = harnessOf();
    harness.processElement({ key: 'a', amount: 1 }, 100);
    harness.processElement({ key: 'b', amount: 2 }, 105);
    harness.processElement(new StreamRecord({ key: 'a', amount: 3 }, 101));
    harness.processWatermark(112);
    assert.deepEqual(harness.getOutput(), [
      new StreamRecord('a+1', 100),
      new StreamRecord('b+2', 105),
      new StreamRecord('a+3', 101),
      new StreamRecord('a@110=4', 110),
      new StreamRecord('a@111=4', 111),
      new Watermark(112),
    ]);
    assert.equal(harness.numEventTimeTimers(), 1);
    assert.deepEqual(harness.extractOutputValues(), ['a+1', 'b+2', 'a+3', 'a@110=4', 'a@111=4']);
    harness.clearOutput();
    harness.endInput();
    assert.deepEqual(harness.extractOutput(), [new StreamRecord('b@115=2', 115), new Watermark(MAX_WATERMARK)]);
    assert.throws(() => harness.processElement({ key: 'a', amount: 1 }, 200), /processElement\(\) after endInput\(\)/);
    harness.close();
  });

  for (const stateBackend of ['hashmap', 'native', 'auto'] as const) {
    it(`keyed state is per key on the ${stateBackend} backend`, () => {
      const harness = harnessOf({ stateBackend });
      for (let i = 0; i < 30; i++) harness.processElement({ key: `k${i % 3}`, amount: i }, i);
      harness.processWatermark(MAX_WATERMARK);
      const finals = harness.extractOutputValues().filter((v) => v.includes('@'));
      // The last timer of each key reports its whole sum: k0 = 0+3+...+27, k1 = 1+4+...+28, k2 = 2+5+...+29.
      assert.deepEqual(finals.slice(-3), ['k0@37=135', 'k1@38=145', 'k2@39=155']);
      assert.equal(harness.numKeyedStateEntries(), 3);
      harness.close();
    });
  }

  it('processing-time timers fire when the manual clock passes them, without a timestamp', () => {
    class Timeout extends KeyedProcessFunction<string, Event, string> {
      processElement(value: Event, ctx: KeyedProcessContext<string>): void {
        ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + value.amount);
      }
      override onTimer(timestamp: number, ctx: KeyedProcessOnTimerContext<string>, out: Collector<string>): void {
        out.collect(`${ctx.getCurrentKey()}@${timestamp}:${ctx.timeDomain()}`);
      }
    }
    const harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new Timeout(), byKey, Types.STRING, { processingTime: 1000 });
    harness.processElement({ key: 'x', amount: 50 }, 1);
    harness.processElement({ key: 'y', amount: 20 });
    assert.equal(harness.numProcessingTimeTimers(), 2);
    harness.setProcessingTime(1019);
    assert.deepEqual(harness.getOutput(), []);
    harness.setProcessingTime(1020);
    assert.deepEqual(harness.getOutput(), [new StreamRecord('y@1020:PROCESSING_TIME', null)]);
    harness.setProcessingTime(2000);
    assert.deepEqual(harness.extractOutputValues(), ['y@1020:PROCESSING_TIME', 'x@1050:PROCESSING_TIME']);
    assert.equal(harness.getProcessingTime(), 2000);
    assert.throws(() => harness.setProcessingTime(10), /cannot go back/);
    harness.close();
  });

  it('side outputs are kept per tag, with timestamps', () => {
    const big = new OutputTag<Event>('big');
    class Split extends KeyedProcessFunction<string, Event, Event> {
      processElement(value: Event, ctx: KeyedProcessContext<string>, out: Collector<Event>): void {
        if (value.amount > 100) ctx.output(big, value);
        else out.collect(value);
      }
    }
    const harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new Split(), byKey);
    harness.processElement({ key: 'a', amount: 500 }, 7);
    harness.processElement({ key: 'a', amount: 5 }, 8);
    assert.deepEqual(harness.getSideOutput(big), [new StreamRecord({ key: 'a', amount: 500 }, 7)]);
    assert.deepEqual(harness.getSideOutput(new OutputTag('other')), []);
    assert.deepEqual(harness.extractOutputStreamRecords(), [new StreamRecord({ key: 'a', amount: 5 }, 8)]);
  });
});

describe('snapshot and restore', () => {
  it('a fresh harness restored from a snapshot continues with the same state and timers', () => {
    const first = harnessOf();
    first.processElement({ key: 'a', amount: 1 }, 100);
    first.processElement({ key: 'b', amount: 2 }, 200);
    const snapshot = first.snapshot();
    first.close();

    const second = harnessOf({ initialState: snapshot });
    assert.equal(second.numEventTimeTimers(), 2);
    second.processElement({ key: 'a', amount: 10 }, 150);
    second.processWatermark(MAX_WATERMARK);
    assert.deepEqual(second.extractOutputValues(), ['a+10', 'a@110=11', 'a@160=11', 'b@210=2']);
  });

  it('restores into 2 subtasks by key group, and merges them back into 1 (repackageState)', () => {
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    const original = harnessOf();
    keys.forEach((key, i) => original.processElement({ key, amount: i }, i));
    const snapshot = original.snapshot();

    const halves: OperatorSubtaskState[] = [];
    const fired: string[] = [];
    for (const subtaskIndex of [0, 1]) {
      const harness = harnessOf({ parallelism: 2, subtaskIndex, initialState: snapshot });
      const { start, end } = harness.keyGroupRange;
      const mine = keys.filter((k) => assignToKeyGroup(k, 128) >= start && assignToKeyGroup(k, 128) <= end);
      assert.ok(mine.length > 0 && mine.length < keys.length, `subtask ${subtaskIndex} owns a share of the keys`);
      assert.equal(harness.numEventTimeTimers(), mine.length);
      assert.equal(harness.numKeyedStateEntries(), mine.length);
      const other = keys.find((k) => !mine.includes(k))!;
      assert.throws(() => harness.processElement({ key: other, amount: 1 }, 1), /key group|range/i, 'a key of the other subtask is refused');
      halves.push(harness.snapshot());
      harness.processWatermark(MAX_WATERMARK);
      fired.push(...harness.extractOutputValues().filter((v) => v.includes('@')));
    }
    assert.deepEqual(fired.sort(), keys.map((k, i) => `${k}@${i + 10}=${i}`).sort());

    const merged = harnessOf({ initialState: repackageState(...halves) });
    assert.equal(merged.numEventTimeTimers(), keys.length);
    merged.endInput();
    assert.deepEqual(merged.extractOutputValues().sort(), keys.map((k, i) => `${k}@${i + 10}=${i}`).sort());
  });

  it('refuses a snapshot of another max parallelism, and state restored twice or after open', () => {
    const snapshot = harnessOf().snapshot();
    assert.throws(() => harnessOf({ maxParallelism: 256, initialState: snapshot }), /maxParallelism 256.*snapshot's maxParallelism/);
    const open = harnessOf();
    assert.throws(() => open.initializeState(snapshot), /before open\(\)/);
    assert.throws(() => repackageState(), /at least one snapshot/);
  });
});

describe('forProcessFunction', () => {
  const evens = new OutputTag<number>('evens');
  class Split extends ProcessFunction<number, number> {
    processElement(value: number, ctx: ProcessContext, out: Collector<number>): void {
      if (value % 2 === 0) ctx.output(evens, value);
      else out.collect(value * 10);
    }
  }

  it('keeps the element timestamps, forwards watermarks, splits side outputs', () => {
    const harness = ProcessFunctionTestHarnesses.forProcessFunction(new Split());
    harness.processElement(1, 100);
    harness.processElement(2, 200);
    harness.processElement(3);
    harness.processWatermark(250);
    assert.deepEqual(harness.getOutput(), [new StreamRecord(10, 100), new StreamRecord(30, null), new Watermark(250)]);
    assert.deepEqual(harness.getSideOutput(evens), [new StreamRecord(2, 200)]);
    assert.deepEqual(harness.snapshot(), { maxParallelism: 128, keyedState: [], timers: [] });
  });

  it('says what is wrong: the wrong kind of function, use before open, timers without a key', () => {
    assert.throws(() => ProcessFunctionTestHarnesses.forProcessFunction(new SumThenReport() as never), /forKeyedProcessFunction/);
    assert.throws(() => ProcessFunctionTestHarnesses.forKeyedProcessFunction(new Split() as never, (x) => x), /forProcessFunction/);
    class SetsTimer extends ProcessFunction<number, number> {
      processElement(value: number, ctx: ProcessContext): void {
        ctx.timerService().registerEventTimeTimer(value);
      }
    }
    const harness = ProcessFunctionTestHarnesses.forProcessFunction(new SetsTimer());
    assert.throws(() => harness.processElement(1, 1), (e: Error & { cause?: Error }) => /keyBy/.test(String(e.cause?.message)));
    assert.throws(() => harness.processElement(1, 'soon' as never), /processElement timestamp/);
    assert.throws(() => ProcessFunctionTestHarnesses.forProcessFunction(new Split(), { parallelism: 2, subtaskIndex: 2 }), /subtaskIndex 2/);
  });
});
