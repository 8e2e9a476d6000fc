/**
 * KeyedProcessOperator and ProcessOperator driven directly (no task): event-time timers fire in
 * order with their key current, before the watermark goes on; dedup and deletion; processing-time
 * timers through one registration with the ProcessingTimeService; snapshot and restore of timers
 * by key group into another parallelism (driven by strom/testing's harness, which runs this
 * operator); side outputs; rich-function lifecycle; clear errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedProcessFunction, type KeyedProcessContext, type KeyedProcessOnTimerContext } from '../../../src/functions/keyed-process-function.js';
import { OutputTag } from '../../../src/functions/output-tag.js';
import { ProcessFunction, type ProcessContext } from '../../../src/functions/process-function.js';
import type { Collector } from '../../../src/functions/collector.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../../../src/io/key-group-assignment.js';
import { KeyedProcessOperator } from '../../../src/runtime/operators/keyed-process-operator.js';
import { ProcessOperator } from '../../../src/runtime/operators/process-operator.js';
import { MAX_WATERMARK, NO_TIMESTAMP } from '../../../src/runtime/operators/stream-operator.js';
import { ManualProcessingTimeService } from '../../../src/runtime/time/processing-time-service.js';
import { ValueStateDescriptor, type ValueState } from '../../../src/state/state-descriptor.js';
import { ProcessFunctionTestHarnesses, type ProcessFunctionHarnessOptions } from '../../../src/testing/index.js';
import { Types } from '../../../src/types/type-information.js';
import { CollectingOutput } from '../../support/collecting-output.js';

type Event = { key: string; t: number };
const SUBTASK = { taskName: 'Keyed Process', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, attemptNumber: 0 };

/** Sets an event-time timer at t + delay (and a second, equal one: dedup) per element; onTimer emits `key@time`. */
class EventTimeTimers extends KeyedProcessFunction<string, Event, string> {
  constructor(private readonly delay: number) {
    super();
  }
  processElement(value: Event, ctx: KeyedProcessContext<string>, _out: Collector<string>): void {
    ctx.timerService().registerEventTimeTimer(value.t + this.delay);
    ctx.timerService().registerEventTimeTimer(value.t + this.delay);
  }
  override onTimer(timestamp: number, ctx: KeyedProcessOnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()}@${timestamp}:${ctx.timeDomain()}:wm=${ctx.timerService().currentWatermark()}`);
  }
}

/**
 * A stand-in KeyedStateBackend that records every setCurrentKey and keeps ValueStates in a Map
 * per state name (the real backends are tested on their own); enough to see that the operator
 * makes the element's or timer's key current before the function reads state.
 */
class RecordingBackend {
  readonly maxParallelism = 128;
  readonly keyGroupRange = { start: 0, end: 127 };
  readonly currentKeys: unknown[] = [];
  private key: unknown;
  private readonly values = new Map<string, Map<unknown, unknown>>();
  disposed = false;
  setCurrentKey(key: unknown): void {
    this.key = key;
    this.currentKeys.push(key);
  }
  getCurrentKey(): unknown {
    return this.key;
  }
  getCurrentKeyGroupIndex(): number {
    return assignToKeyGroup(this.key, 128);
  }
  getPartitionedState(descriptor: { name: string }): unknown {
    const map = this.values.get(descriptor.name) ?? new Map<unknown, unknown>();
    this.values.set(descriptor.name, map);
    return {
      value: () => map.get(this.key) ?? null,
      update: (v: unknown) => map.set(this.key, v),
      clear: () => map.delete(this.key),
      setCurrentNamespace() {},
    };
  }
  stats(): { entries: number; memoryBytes: number } {
    let entries = 0;
    for (const map of this.values.values()) entries += map.size;
    return { entries, memoryBytes: 0 };
  }
  dispose(): void {
    this.disposed = true;
  }
}

function keyedOperator(fn: KeyedProcessFunction<string, Event, string>, options: { time?: ManualProcessingTimeService; parallelism?: number; index?: number; backend?: RecordingBackend } = {}) {
  const output = new CollectingOutput();
  const time = options.time ?? new ManualProcessingTimeService(0);
  const parallelism = options.parallelism ?? 1;
  const index = options.index ?? 0;
  const operator = new KeyedProcessOperator(
    'Keyed Process',
    fn as KeyedProcessFunction<unknown, unknown, unknown>,
    {
      keySelector: (e) => (e as Event).key,
      maxParallelism: 128,
      keyGroupRange: computeKeyGroupRangeForOperatorIndex(128, parallelism, index),
      processingTimeService: time,
      stateBackend: options.backend as never,
      subtask: { ...SUBTASK, subtaskIndex: index, parallelism },
    },
    output,
  );
  operator.open();
  return { operator, output, time };
}

/** What the task does at the end of the input: MAX_WATERMARK, then finish. */
function endInput(operator: KeyedProcessOperator): void {
  operator.processWatermark(MAX_WATERMARK);
  assert.equal(operator.finish(), true);
}

describe('KeyedProcessOperator: event-time timers', () => {
  it('fire in timestamp order with their key current, before the watermark is forwarded, once each', () => {
    const { operator, output } = keyedOperator(new EventTimeTimers(10));
    operator.processElement({ key: 'b', t: 20 }, 20);
    operator.processElement({ key: 'a', t: 5 }, 5);
    operator.processElement({ key: 'c', t: 40 }, 40);
    operator.processWatermark(30);
    operator.processWatermark(100);
    assert.deepEqual(output.emitted, [
      { kind: 'record', value: 'a@15:EVENT_TIME:wm=30', timestamp: 15 },
      { kind: 'record', value: 'b@30:EVENT_TIME:wm=30', timestamp: 30 },
      { kind: 'watermark', watermark: 30 },
      { kind: 'record', value: 'c@50:EVENT_TIME:wm=100', timestamp: 50 },
      { kind: 'watermark', watermark: 100 },
    ]);
    assert.equal(operator.timerService.numEventTimeTimers(), 0);
  });

  it('a deleted timer does not fire; MAX_WATERMARK fires all that remain', () => {
    class DeleteOdd extends KeyedProcessFunction<string, Event, string> {
      processElement(value: Event, ctx: KeyedProcessContext<string>): void {
        ctx.timerService().registerEventTimeTimer(value.t);
        if (value.t % 2 === 1) ctx.timerService().deleteEventTimeTimer(value.t);
      }
      override onTimer(timestamp: number, ctx: KeyedProcessOnTimerContext<string>, out: Collector<string>): void {
        out.collect(`${ctx.getCurrentKey()}@${timestamp}`);
      }
    }
    const { operator, output } = keyedOperator(new DeleteOdd());
    for (let t = 1; t <= 6; t++) operator.processElement({ key: `k${t % 2}`, t }, t);
    endInput(operator);
    assert.deepEqual(output.values, ['k0@2', 'k0@4', 'k0@6']);
  });
});

describe('KeyedProcessOperator: the end of input', () => {
  it('fires the remaining timers in bounded finish steps, then forwards MAX_WATERMARK', () => {
    const { operator, output } = keyedOperator(new EventTimeTimers(0));
    for (let i = 0; i < 100; i++) operator.processElement({ key: `k${i}`, t: i }, i);
    operator.processWatermark(MAX_WATERMARK);
    assert.equal(output.emitted.length, 0, 'nothing fires before finish');
    const budget = { maxRecords: 7, output: { blocked: 0 } };
    let calls = 0;
    for (let before = 0; !operator.finish(budget); before = output.emitted.length) {
      calls++;
      assert.equal(output.emitted.length - before, 7, 'each step emits its budget');
    }
    assert.equal(calls, Math.floor(100 / 7));
    assert.deepEqual(output.emitted.at(-1), { kind: 'watermark', watermark: MAX_WATERMARK });
    assert.deepEqual(output.values, Array.from({ length: 100 }, (_, i) => `k${i}@${i}:EVENT_TIME:wm=Infinity`));
  });

  it('BATCH order: finish fires every timer, MAX_WATERMARK handed over after it goes straight on', () => {
    const { operator, output } = keyedOperator(new EventTimeTimers(5));
    operator.processElement({ key: 'a', t: 1 }, 1);
    operator.processElement({ key: 'b', t: 0 }, 0);
    assert.equal(operator.finish(), true);
    operator.processWatermark(MAX_WATERMARK);
    assert.deepEqual(output.emitted, [
      { kind: 'record', value: 'b@5:EVENT_TIME:wm=Infinity', timestamp: 5 },
      { kind: 'record', value: 'a@6:EVENT_TIME:wm=Infinity', timestamp: 6 },
      { kind: 'watermark', watermark: MAX_WATERMARK },
    ]);
  });

  it('stops after one timer while the output is blocked', () => {
    const { operator, output } = keyedOperator(new EventTimeTimers(0));
    for (let i = 0; i < 3; i++) operator.processElement({ key: `k${i}`, t: i }, i);
    operator.processWatermark(MAX_WATERMARK);
    const blocked = { maxRecords: 100, output: { blocked: 1 } };
    assert.equal(operator.finish(blocked), false);
    assert.equal(output.emitted.length, 1);
    assert.equal(operator.finish(blocked), false);
    assert.equal(operator.finish(blocked), true, 'the last timer fired: done, watermark forwarded');
    assert.equal(output.emitted.length, 4);
  });
});

describe('KeyedProcessOperator: keyed state', () => {
  it('makes the key current before processElement and before each timer, so state reads the right key', () => {
    class CountThenReport extends KeyedProcessFunction<string, Event, string> {
      private count!: ValueState<number>;
      override open(): void {
        this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
      }
      processElement(value: Event, ctx: KeyedProcessContext<string>): void {
        this.count.update((this.count.value() ?? 0) + 1);
        ctx.timerService().registerEventTimeTimer(value.t);
      }
      override onTimer(timestamp: number, ctx: KeyedProcessOnTimerContext<string>, out: Collector<string>): void {
        out.collect(`${ctx.getCurrentKey()}@${timestamp}=${this.count.value()}`);
      }
    }
    const backend = new RecordingBackend();
    const { operator, output } = keyedOperator(new CountThenReport(), { backend });
    operator.processElement({ key: 'a', t: 3 }, 3);
    operator.processElement({ key: 'b', t: 1 }, 1);
    operator.processElement({ key: 'a', t: 2 }, 2);
    endInput(operator);
    assert.deepEqual(output.values, ['b@1=1', 'a@2=2', 'a@3=2']);
    assert.deepEqual(backend.currentKeys, ['a', 'b', 'a', 'b', 'a', 'a']);
    operator.close();
    assert.ok(backend.disposed, 'close disposes the backend');
  });
});

describe('KeyedProcessOperator: processing-time timers', () => {
  it('fire through one registration for the earliest timer, with no timestamp, key current', () => {
    class Timeout extends KeyedProcessFunction<string, Event, string> {
      processElement(value: Event, ctx: KeyedProcessContext<string>): void {
        ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + value.t);
      }
      override onTimer(timestamp: number, ctx: KeyedProcessOnTimerContext<string>, out: Collector<string>): void {
        out.collect(`${ctx.getCurrentKey()}@${timestamp}:${ctx.timeDomain()}:ts=${ctx.timestamp()}`);
      }
    }
    const time = new ManualProcessingTimeService(1000);
    const { operator, output } = keyedOperator(new Timeout(), { time });
    operator.processElement({ key: 'x', t: 50 }, 7);
    operator.processElement({ key: 'y', t: 20 }, 8);
    operator.processElement({ key: 'y', t: 20 }, 9); // the same timer again: deduplicated
    operator.processElement({ key: 'z', t: 80 }, 10);
    assert.equal(operator.timerService.numProcessingTimeTimers(), 3);
    // One live registration with the task's service (the replaced one is cancelled).
    assert.equal(time.nextTimerAt(), 1020);
    time.setCurrentTime(1060);
    assert.deepEqual(output.emitted, [
      { kind: 'record', value: 'y@1020:PROCESSING_TIME:ts=null', timestamp: NO_TIMESTAMP },
      { kind: 'record', value: 'x@1050:PROCESSING_TIME:ts=null', timestamp: NO_TIMESTAMP },
    ]);
    assert.equal(time.nextTimerAt(), 1080);
    operator.close();
    assert.equal(time.nextTimerAt(), Number.POSITIVE_INFINITY, 'close cancels the registration');
  });
});

describe('KeyedProcessOperator: timer snapshots by key group (through strom/testing)', () => {
  const harnessOf = (fn: KeyedProcessFunction<string, Event, string>, options: ProcessFunctionHarnessOptions = {}) =>
    ProcessFunctionTestHarnesses.forKeyedProcessFunction(fn, (e: Event) => e.key, Types.STRING, options);

  it('restore into 3 subtasks splits the timers by key group and each fires exactly its keys', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    const original = harnessOf(new EventTimeTimers(0));
    keys.forEach((key, i) => original.processElement({ key, t: i }, i));
    const snapshot = original.snapshot();

    const fired: string[] = [];
    for (let subtaskIndex = 0; subtaskIndex < 3; subtaskIndex++) {
      const harness = harnessOf(new EventTimeTimers(0), { parallelism: 3, subtaskIndex, initialState: snapshot });
      harness.endInput();
      const values = harness.extractOutputValues();
      const range = harness.keyGroupRange;
      assert.ok(values.length > 0 && values.length < keys.length, `subtask ${subtaskIndex} got a share`);
      for (const v of values) {
        const group = assignToKeyGroup(v.split('@')[0], 128);
        assert.ok(group >= range.start && group <= range.end, `${v} belongs to subtask ${subtaskIndex}`);
      }
      fired.push(...values.map((v) => v.split(':')[0]!));
    }
    assert.deepEqual(fired.sort(), keys.map((k, i) => `${k}@${i}`).sort());
  });

  it('restored processing-time timers register with the new clock and fire', () => {
    class Remind extends KeyedProcessFunction<string, Event, string> {
      processElement(value: Event, ctx: KeyedProcessContext<string>): void {
        ctx.timerService().registerProcessingTimeTimer(value.t);
      }
      override onTimer(timestamp: number, ctx: KeyedProcessOnTimerContext<string>, out: Collector<string>): void {
        out.collect(`${ctx.getCurrentKey()}@${timestamp}`);
      }
    }
    const original = harnessOf(new Remind());
    original.processElement({ key: 'a', t: 50 }, 0);
    original.processElement({ key: 'b', t: 30 }, 0);
    const harness = harnessOf(new Remind(), { processingTime: 10, initialState: original.snapshot() });
    harness.setProcessingTime(29);
    assert.deepEqual(harness.extractOutputValues(), []);
    harness.setProcessingTime(100);
    assert.deepEqual(harness.extractOutputValues(), ['b@30', 'a@50']);
  });

  it('a corrupt snapshot is refused with a clear error', () => {
    const corrupt = { maxParallelism: 128, keyedState: [], timers: [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])] };
    assert.throws(() => harnessOf(new EventTimeTimers(0), { initialState: corrupt }), /not a timer snapshot/);
  });
});

describe('process functions: side outputs, lifecycle, errors', () => {
  const evens = new OutputTag<number>('evens');

  class Split extends ProcessFunction<number, number> {
    opened: string[] = [];
    override open(): void {
      const info = this.getRuntimeContext().getTaskInfo();
      this.opened.push(`${info.getTaskName()} ${info.getIndexOfThisSubtask()}/${info.getNumberOfParallelSubtasks()} #${info.getAttemptNumber()}`);
    }
    override close(): void {
      this.opened.push('closed');
    }
    processElement(value: number, ctx: ProcessContext, out: Collector<number>): void {
      if (value % 2 === 0) ctx.output(evens, value);
      else out.collect(value * 10);
    }
  }

  it('ProcessOperator emits main and side records with the element timestamp; open/close see the runtime context', () => {
    const output = new CollectingOutput();
    const fn = new Split();
    const operator = new ProcessOperator('Process', fn as ProcessFunction<unknown, unknown>, { processingTimeService: new ManualProcessingTimeService(0), subtask: { ...SUBTASK, taskName: 'Process', subtaskIndex: 2, parallelism: 4, attemptNumber: 0 } }, output);
    operator.open();
    operator.processElement(1, 100);
    operator.processElement(2, 200);
    operator.close();
    assert.deepEqual(output.emitted, [
      { kind: 'record', value: 10, timestamp: 100 },
      { kind: 'side', tag: 'evens', value: 2, timestamp: 200 },
    ]);
    assert.deepEqual(fn.opened, ['Process 2/4 #0', 'closed']);
  });

  it('timers on a non-keyed stream, and keyed state without a keyed stream, fail with errors saying to keyBy', () => {
    class SetsTimer extends ProcessFunction<number, number> {
      processElement(value: number, ctx: ProcessContext): void {
        ctx.timerService().registerEventTimeTimer(value);
      }
    }
    const operator = new ProcessOperator('Process', new SetsTimer() as ProcessFunction<unknown, unknown>, { processingTimeService: new ManualProcessingTimeService(0), subtask: SUBTASK }, new CollectingOutput());
    operator.open();
    assert.throws(
      () => operator.processElement(1, 1),
      (e: Error) => e.name === 'UserFunctionError' && /Timers need a keyed stream.*keyBy/.test(String((e as { cause?: Error }).cause?.message)),
    );

    class UsesState extends ProcessFunction<number, number> {
      override open(): void {
        this.getRuntimeContext().getState(new ValueStateDescriptor<number>('seen'));
      }
      processElement(): void {}
    }
    const stateful = new ProcessOperator('Stateful', new UsesState() as ProcessFunction<unknown, unknown>, { processingTimeService: new ManualProcessingTimeService(0), subtask: SUBTASK }, new CollectingOutput());
    assert.throws(() => stateful.open(), (e: Error) => /Keyed state 'seen'.*keyBy/.test(String((e as { cause?: Error }).cause?.message)));
  });

  it('a throwing onTimer fails as the user function, naming the operator', () => {
    class Throws extends KeyedProcessFunction<string, Event, string> {
      processElement(value: Event, ctx: KeyedProcessContext<string>): void {
        ctx.timerService().registerEventTimeTimer(value.t);
      }
      override onTimer(): void {
        throw new Error('boom');
      }
    }
    const { operator } = keyedOperator(new Throws());
    operator.processElement({ key: 'a', t: 1 }, 1);
    assert.throws(() => operator.processWatermark(5), (e: Error & { cause?: Error }) => e.name === 'UserFunctionError' && /Keyed Process/.test(e.message) && e.cause?.message === 'boom');
  });
});


