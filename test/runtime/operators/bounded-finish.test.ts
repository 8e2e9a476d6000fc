/**
 * End of input in bounded, resumable steps (stream-operator.ts, "End of input"): the BATCH keyed
 * aggregations (native and JS) and the combiner emit their finals over several `finish(budget)`
 * calls, never more than the budget allows per call and nothing further once the output is
 * blocked, and all the calls together emit exactly what one unbounded call does, in the same
 * order. The chain steps its operators head first, each until it is done. Real addon.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManagedMemory } from '../../../src/memory/managed-memory.js';
import { KeyedAggregationOperator } from '../../../src/runtime/operators/keyed-aggregation-operator.js';
import { NativeCombinerOperator } from '../../../src/runtime/operators/native-combiner-operator.js';
import { NativeKeyedAggregationOperator } from '../../../src/runtime/operators/native-keyed-aggregation-operator.js';
import { OperatorChain } from '../../../src/runtime/operators/operator-chain.js';
import type { Output } from '../../../src/runtime/operators/output.js';
import { NO_TIMESTAMP, type FinishBudget, type StreamOperator } from '../../../src/runtime/operators/stream-operator.js';
import { JsKeyedAggregation } from '../../../src/state/js-keyed-aggregation.js';
import { JsKeyedReduce } from '../../../src/state/js-keyed-reduce.js';
import type { JsKey } from '../../../src/state/js-keyed-state.js';
import { Types } from '../../../src/types/type-information.js';
import { CollectingOutput } from '../../support/collecting-output.js';
import { frameRecords } from '../../support/frames.js';

const TYPE = Types.TUPLE(Types.STRING, Types.DOUBLE);
const KEYS = 3000;
/** Records a native emitFinal call writes at most (state/native-keyed-aggregation.ts): what may follow a block. */
const NATIVE_CHUNK = 256;

type Rec = [string, number];
/** Two records per key, keys in a scrambled first-seen order. */
const RECORDS: Rec[] = Array.from({ length: 2 * KEYS }, (_, i) => [`k${(i * 7919) % KEYS}`, i % 5]);

/**
 * An output that takes `capacity` records, then reports itself blocked (as a RecordWriter does
 * when its segments are used up) until `unblock()`.
 */
class GatedOutput extends CollectingOutput {
  readonly availability = { blocked: 0 };
  /** Records collected while blocked since the last unblock. */
  afterBlock = 0;
  private taken = 0;
  constructor(private readonly capacity: number) {
    super();
  }
  override collect(value: unknown, timestamp: number): void {
    super.collect(value, timestamp);
    if (this.availability.blocked !== 0) this.afterBlock++;
    else if (++this.taken === this.capacity) this.availability.blocked = 1;
  }
  unblock(): void {
    this.availability.blocked = 0;
    this.taken = 0;
    this.afterBlock = 0;
  }
}

/** A BATCH operator of each kind over `output`, with RECORDS processed. */
const OPERATORS: Record<string, (output: Output) => StreamOperator> = {
  'native sum': (output) => {
    const options = { type: TYPE, keyFields: [0], aggregation: 'sum' as const, field: 1, mode: 'BATCH' as const, maxParallelism: 128, managedMemory: ManagedMemory.create(16 << 20), operatorName: 'Sum' };
    const op = new NativeKeyedAggregationOperator('Sum', options, TYPE, output);
    open(op);
    const bytes = frameRecords(TYPE, RECORDS);
    op.processSlice(bytes, 0, bytes.length);
    return op;
  },
  combiner: (output) => {
    const op = new NativeCombinerOperator(
      { type: TYPE, keyFields: [0], aggregation: 'sum', field: 1, maxParallelism: 128, managedMemory: ManagedMemory.create(16 << 20), operatorName: 'Sum' },
      output,
    );
    open(op);
    for (const r of RECORDS) op.processElement(r, NO_TIMESTAMP);
    return op;
  },
  'JS reduce': (output) =>
    jsOperator(output, (emit) => new JsKeyedReduce<unknown, JsKey>({ ...JS_STATE, emit, keySelector: (r) => (r as Rec)[0], reduce: (a, b) => [(a as Rec)[0], (a as Rec)[1] + (b as Rec)[1]] })),
  'JS avg': (output) => jsOperator(output, (emit) => new JsKeyedAggregation({ ...JS_STATE, emit, aggregation: 'avg', field: 1, keySelector: (r) => (r as Rec)[0] })),
};

const JS_STATE = { operatorName: 'Reduce', mode: 'BATCH' as const, maxParallelism: 128 };

/** A JS keyed operator over the state `create` builds, with RECORDS processed. */
function jsOperator(output: Output, create: ConstructorParameters<typeof KeyedAggregationOperator>[1]): StreamOperator {
  const op = new KeyedAggregationOperator('Reduce', create, output);
  open(op);
  for (const r of RECORDS) op.processElement(r, NO_TIMESTAMP);
  return op;
}

function open(op: StreamOperator): void {
  op.initializeState({ isRestored: false });
  op.open();
}

describe('finish(budget) emits in bounded, resumable steps', () => {
  for (const [name, create] of Object.entries(OPERATORS)) {
    const native = name !== 'JS reduce' && name !== 'JS avg';
    it(`${name}: the same finals in the same order as one unbounded call, within each call's budget`, () => {
      const once = new CollectingOutput();
      const all = create(once);
      assert.equal(all.finish(), true);
      all.close();
      assert.equal(once.values.length, KEYS);

      for (const maxRecords of [1, 100, 1000]) {
        const gated = new GatedOutput(50);
        const op = create(gated);
        const budget: FinishBudget = { maxRecords, output: gated.availability };
        let calls = 0;
        let before = 0;
        for (;;) {
          calls++;
          assert.ok(calls < 10 * KEYS, 'finish made no progress');
          const done = op.finish(budget);
          const emitted = gated.values.length - before;
          before = gated.values.length;
          // Within the budget (native: rounded up to one chunk), and nothing more once blocked (native: the rest of a chunk).
          assert.ok(emitted <= (native ? Math.max(maxRecords, NATIVE_CHUNK) : maxRecords), `${emitted} records in one call of budget ${maxRecords}`);
          assert.ok(gated.afterBlock <= (native ? NATIVE_CHUNK : 0), `${gated.afterBlock} records after the output blocked`);
          if (done) break;
          assert.ok(emitted > 0 || gated.availability.blocked !== 0, 'a call with an available output emitted nothing');
          gated.unblock();
        }
        assert.equal(op.finish(budget), true, 'done stays done');
        op.close();
        assert.deepEqual(gated.values, once.values, `budget ${maxRecords}`);
        assert.ok(calls >= KEYS / Math.max(maxRecords, native ? NATIVE_CHUNK : 50), `only ${calls} calls`);
      }
    });
  }

  it('a blocked output gets nothing: finish returns false without emitting', () => {
    for (const create of Object.values(OPERATORS)) {
      const out = new CollectingOutput();
      const op = create(out);
      assert.equal(op.finish({ maxRecords: 1000, output: { blocked: 1 } }), false);
      assert.equal(out.values.length, 0);
      assert.equal(op.finish(), true);
      assert.equal(out.values.length, KEYS);
      op.close();
    }
  });

  it('close between two steps (a cancel) frees the state', () => {
    const memory = ManagedMemory.create(16 << 20);
    const options = { type: TYPE, keyFields: [0], aggregation: 'sum' as const, field: 1, mode: 'BATCH' as const, maxParallelism: 128, managedMemory: memory, operatorName: 'Sum' };
    const op = new NativeKeyedAggregationOperator('Sum', options, TYPE, new CollectingOutput());
    open(op);
    const bytes = frameRecords(TYPE, RECORDS);
    op.processSlice(bytes, 0, bytes.length);
    assert.equal(op.finish({ maxRecords: 10, output: { blocked: 0 } }), false);
    op.close();
    assert.equal(memory.usage().used, 0);
  });

  it('the chain finishes its operators head first, each until it is done', () => {
    const tail = new GatedOutput(Number.POSITIVE_INFINITY);
    const combiner = OPERATORS.combiner!(tail);
    // The head emits into the combiner, which emits its partials only once the head is done.
    const head = OPERATORS['JS reduce']!(combiner as unknown as Output);
    const chain = new OperatorChain([head, combiner]);
    const budget: FinishBudget = { maxRecords: 500, output: tail.availability };
    let steps = 0;
    while (!chain.finish(budget)) {
      steps++;
      assert.ok(steps < 1000);
      if (tail.values.length > 0) assert.ok(steps >= KEYS / 500, 'the combiner emitted before the head was done');
    }
    assert.ok(steps >= KEYS / 500);
    // The head's finals folded into the combiner's table (the same keys): one partial per key.
    assert.equal(tail.values.length, KEYS);
    assert.equal(chain.finish(budget), true);
    chain.close();
  });
});
