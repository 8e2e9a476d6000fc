/**
 * The harness classes around an operator factory: the lifecycle a task follows (and clear errors
 * when a test breaks it), the factory's parts, snapshots that do not fit the harness.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamMap } from '../../src/runtime/operators/stream-map.js';
import { KeyedOneInputStreamOperatorTestHarness, OneInputStreamOperatorTestHarness, StreamRecord, Watermark, type OperatorSetup } from '../../src/testing/index.js';

const doubler = (setup: OperatorSetup) => new StreamMap('Doubler', (x) => (x as number) * 2, setup.output);

describe('OneInputStreamOperatorTestHarness', () => {
  it('follows the task lifecycle: open() initializes first, endInput() forwards MAX_WATERMARK once, close() is final', () => {
    const harness = new OneInputStreamOperatorTestHarness<number, number>(doubler);
    assert.throws(() => harness.processElement(1), /processElement\(\) before open\(\): call harness.open\(\) first/);
    harness.open();
    assert.throws(() => harness.open(), /open\(\) is called once/);
    harness.processElement(21, 5);
    harness.endInput();
    harness.endInput();
    assert.deepEqual(harness.getOutput(), [new StreamRecord(42, 5), new Watermark(Number.POSITIVE_INFINITY)]);
    assert.throws(() => harness.processWatermark(10), /after endInput\(\)/);
    harness.close();
    harness.close();
    assert.throws(() => harness.setProcessingTime(1), /after close\(\)/);
  });

  it('gives the factory its parts: the subtask it plays and its key groups', () => {
    let seen: OperatorSetup | undefined;
    new OneInputStreamOperatorTestHarness((setup) => ((seen = setup), doubler(setup)), { maxParallelism: 8, parallelism: 4, subtaskIndex: 3, processingTime: 77, operatorName: 'M' });
    assert.deepEqual(seen!.subtask, { taskName: 'M', subtaskIndex: 3, parallelism: 4, maxParallelism: 8, attemptNumber: 0 });
    assert.deepEqual(seen!.keyGroupRange, { start: 6, end: 7 });
    assert.equal(seen!.processingTimeService.getCurrentProcessingTime(), 77);
    assert.equal(seen!.stateBackend, undefined, 'not keyed: no state backend');
  });

  it('refuses snapshots it cannot hold: keyed state into a non-keyed harness, timers into an operator without timers, not a snapshot', () => {
    const keyed = new KeyedOneInputStreamOperatorTestHarness<number, number, number>(doubler, (x) => x);
    keyed.open();
    const snapshot = keyed.snapshot();
    assert.equal(snapshot.keyedState.length, 1);
    assert.equal(snapshot.timers.length, 0, 'a map has no timer service');
    assert.throws(() => new OneInputStreamOperatorTestHarness(doubler).initializeState(snapshot), /holds keyed state, but this harness is not keyed/);
    const withTimers = { ...snapshot, keyedState: [], timers: [new Uint8Array(8)] };
    assert.throws(() => new OneInputStreamOperatorTestHarness(doubler).initializeState(withTimers), /no timer service/);
    assert.throws(() => new OneInputStreamOperatorTestHarness(doubler).initializeState({} as never), /expected what harness.snapshot\(\) returned/);
  });

  it('says what a factory, key selector or key type must be', () => {
    assert.throws(() => new OneInputStreamOperatorTestHarness(new StreamMap('x', (v) => v, undefined as never) as never), /expected a function \(setup\) => operator/);
    assert.throws(() => new KeyedOneInputStreamOperatorTestHarness(doubler, 'key' as never), /key selector/);
    assert.throws(() => new KeyedOneInputStreamOperatorTestHarness(doubler, (x) => x, 'STRING' as never), /expected a TypeInformation/);
  });
});
