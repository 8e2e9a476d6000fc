/**
 * harnessForStream: the operator a DataStream transformation builds, instantiated by the
 * runtime's own operator factory and driven by a harness: map, filter, flatMap, a keyed process
 * function keyed by a declared tuple field (keyed harness, state and timers), a rolling `sum`
 * (planned native in a job, run on its JS twin), BATCH finals at the end of input, and the
 * streams it cannot drive.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedProcessFunction, StreamExecutionEnvironment, Types, ValueStateDescriptor, WatermarkStrategy, type Collector, type KeyedProcessContext, type KeyedProcessOnTimerContext, type ValueState } from '../../src/index.js';
import { harnessForStream, KeyedOneInputStreamOperatorTestHarness, MAX_WATERMARK, StreamRecord, Watermark } from '../../src/testing/index.js';

type Pair = [string, number];
const PAIR = Types.TUPLE(Types.STRING, Types.DOUBLE);

describe('harnessForStream', () => {
  it('drives a chain element of the API: map, filter, flatMap keep the element timestamp', () => {
    const env = new StreamExecutionEnvironment();
    const source = env.fromElements(1, 2, 3);
    const mapped = harnessForStream(source.map((x: number) => x * 2));
    mapped.open();
    mapped.processElement(4, 40);
    mapped.processWatermark(41);
    assert.deepEqual(mapped.getOutput(), [new StreamRecord(8, 40), new Watermark(41)]);

    const filtered = harnessForStream(source.filter((x: number) => x > 1));
    filtered.open();
    for (const x of [1, 2, 3]) filtered.processElement(x, x);
    assert.deepEqual(filtered.extractOutputStreamRecords(), [new StreamRecord(2, 2), new StreamRecord(3, 3)]);

    const split = harnessForStream(env.fromElements('a b').flatMap((line: string, out) => line.split(' ').forEach((w) => out(w))));
    split.open();
    split.processElement('x y');
    assert.deepEqual(split.getOutput(), [new StreamRecord('x'), new StreamRecord('y')]);
  });

  it('a keyBy on a declared field gives a keyed harness with the field type as key type: state and timers per key', () => {
    class LastSeen extends KeyedProcessFunction<string, Pair, string> {
      private total!: ValueState<number>;
      override open(): void {
        this.total = this.getRuntimeContext().getState(new ValueStateDescriptor('total', Types.DOUBLE));
      }
      processElement(value: Pair, ctx: KeyedProcessContext<string>): void {
        this.total.update((this.total.value() ?? 0) + value[1]);
        ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 5);
      }
      override onTimer(timestamp: number, ctx: KeyedProcessOnTimerContext<string>, out: Collector<string>): void {
        out.collect(`${ctx.getCurrentKey()}=${this.total.value()}@${timestamp}`);
      }
    }
    const env = new StreamExecutionEnvironment();
    const stream = env.fromElements<Pair>(['a', 1]).returns(PAIR).keyBy(0).process(new LastSeen());
    // 'native' accepts only declared types: the key type came from the tuple's first field.
    const harness = harnessForStream(stream, { stateBackend: 'native' });
    assert.ok(harness instanceof KeyedOneInputStreamOperatorTestHarness);
    harness.open();
    harness.processElement(['a', 1], 10);
    harness.processElement(['b', 2], 11);
    harness.processElement(['a', 3], 12);
    harness.processWatermark(16);
    assert.deepEqual(harness.getOutput(), [new StreamRecord('a=4@15', 15), new StreamRecord('b=2@16', 16), new Watermark(16)]);
    const snapshot = harness.snapshot();
    harness.close();

    const restored = harnessForStream(stream);
    restored.initializeState(snapshot);
    restored.open();
    restored.processWatermark(MAX_WATERMARK);
    assert.deepEqual(restored.extractOutputValues(), ['a=4@17']);
  });

  it('a rolling sum keyed by a field (native in a job) runs on its JS implementation with the same results; BATCH emits finals at the end', () => {
    const env = new StreamExecutionEnvironment();
    const sums = env.fromElements<Pair>(['a', 1]).returns(PAIR).keyBy(0).sum(1);
    const streaming = harnessForStream(sums);
    streaming.open();
    for (const [i, pair] of ([['a', 1], ['b', 5], ['a', 2]] as Pair[]).entries()) streaming.processElement(pair, i);
    assert.deepEqual(streaming.extractOutputValues(), [['a', 1], ['b', 5], ['a', 3]]);

    const batch = harnessForStream(sums, { mode: 'BATCH' });
    batch.open();
    for (const pair of [['a', 1], ['b', 5], ['a', 2]] as Pair[]) batch.processElement(pair);
    assert.deepEqual(batch.extractOutputValues(), []);
    batch.endInput();
    assert.deepEqual(batch.extractOutputValues(), [['a', 3], ['b', 5]]);
  });

  it('assignTimestampsAndWatermarks: the strategy stamps records and emits its watermarks', () => {
    const env = new StreamExecutionEnvironment();
    const stamped = env.fromElements({ t: 0 }).assignTimestampsAndWatermarks(
      WatermarkStrategy.forGenerator<{ t: number }>(() => ({ onEvent: (e, _ts, out) => out.emitWatermark(e.t - 1), onPeriodicEmit: () => {} })).withTimestampAssigner((e) => e.t),
    );
    const harness = harnessForStream(stamped);
    harness.open();
    harness.processElement({ t: 100 });
    assert.deepEqual(harness.getOutput(), [new StreamRecord({ t: 100 }, 100), new Watermark(99)]);
  });

  it('refuses streams without one-input operator: a source, a keyed stream, a union', () => {
    const env = new StreamExecutionEnvironment();
    const source = env.fromElements(1);
    assert.throws(() => harnessForStream(source), /cannot run 'Source: Collection Source' \(source\)/);
    assert.throws(() => harnessForStream(source.keyBy((x: number) => x)), /expected the stream an operator returned/);
    assert.throws(() => harnessForStream(source.union(source)), /expected the stream an operator returned/);
  });
});
