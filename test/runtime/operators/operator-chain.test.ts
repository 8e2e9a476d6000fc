/**
 * The operator model without threads: real operators (map, filter, flatMap, co-map) linked by
 * real ChainingOutputs, ending in an Output that records what reaches it. Timestamps and
 * watermarks travel with the records through the chain; side outputs reach only their tag's
 * consumer; the OperatorChain runs the lifecycle in Flink's order and closes everything after a
 * failure, a native keyed aggregation (the real addon) giving back its managed memory.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserFunctionError } from '../../../src/errors.js';
import { ManagedMemory } from '../../../src/memory/managed-memory.js';
import { AbstractStreamOperator } from '../../../src/runtime/operators/abstract-stream-operator.js';
import { BroadcastingOutput } from '../../../src/runtime/operators/broadcasting-output.js';
import { ChainingOutput, chainingOutputOf } from '../../../src/runtime/operators/chaining-output.js';
import { CoStreamMap } from '../../../src/runtime/operators/co-stream-map.js';
import { NativeKeyedAggregationOperator } from '../../../src/runtime/operators/native-keyed-aggregation-operator.js';
import type { OneInputStreamOperator } from '../../../src/runtime/operators/one-input-stream-operator.js';
import { OperatorChain } from '../../../src/runtime/operators/operator-chain.js';
import type { Output } from '../../../src/runtime/operators/output.js';
import { OutputTag } from '../../../src/functions/output-tag.js';
import { StreamFilter } from '../../../src/runtime/operators/stream-filter.js';
import { StreamFlatMap } from '../../../src/runtime/operators/stream-flat-map.js';
import { StreamMap } from '../../../src/runtime/operators/stream-map.js';
import { MAX_WATERMARK, NO_TIMESTAMP } from '../../../src/runtime/operators/stream-operator.js';
import { Types } from '../../../src/types/type-information.js';
import { CollectingOutput } from '../../support/collecting-output.js';
import { frameRecords } from '../../support/frames.js';

/**
 * map(x * 2) -> filter(x % 3 != 0) -> flatMap(x, -x) -> sink, built tail first as the task
 * builds it (`link`: chainingOutputOf, what the task uses, or a ChainingOutput object).
 */
function chain(sink: Output, link: (op: OneInputStreamOperator) => Output = chainingOutputOf) {
  const flatMap = new StreamFlatMap('Flat Map', (x, out) => {
    out(x);
    out(-(x as number));
  }, sink);
  const filter = new StreamFilter('Filter', (x) => (x as number) % 3 !== 0, link(flatMap));
  const map = new StreamMap('Map', (x) => (x as number) * 2, link(filter));
  return { map, filter, flatMap };
}

describe('a chain of map, filter and flatMap', () => {
  for (const [how, link] of [
    ['operators linked directly', chainingOutputOf],
    ['ChainingOutput objects', (op: OneInputStreamOperator) => new ChainingOutput(op)],
  ] as const) {
    it(`carries each record's timestamp and forwards watermarks in order with the records (${how})`, () => {
      const sink = new CollectingOutput();
      const { map } = chain(sink, link);
      map.processElement(1, 1000);
      map.processElement(3, 2000); // 6: filtered out
      map.processWatermark(2500);
      map.processElement(4, NO_TIMESTAMP);
      map.processWatermark(MAX_WATERMARK);
      assert.deepEqual(sink.emitted, [
        { kind: 'record', value: 2, timestamp: 1000 },
        { kind: 'record', value: -2, timestamp: 1000 },
        { kind: 'watermark', watermark: 2500 },
        { kind: 'record', value: 8, timestamp: NO_TIMESTAMP },
        { kind: 'record', value: -8, timestamp: NO_TIMESTAMP },
        { kind: 'watermark', watermark: MAX_WATERMARK },
      ]);
    });
  }

  it('names the operator whose function threw, not the ones it passed through', () => {
    const sink = new CollectingOutput();
    const flatMap = new StreamFlatMap('Explode', () => {
      throw new Error('boom');
    }, sink);
    const map = new StreamMap('Double', (x) => x, chainingOutputOf(flatMap));
    assert.throws(() => map.processElement(1, 5), (e: unknown) => e instanceof UserFunctionError && e.operatorName === 'Explode');
  });
});

/** An operator that sends odd numbers to `odd`, multiples of 10 to `tens` and everything to its main output. */
class Splitter extends AbstractStreamOperator implements OneInputStreamOperator {
  constructor(
    output: Output,
    private readonly odd: OutputTag<number>,
    private readonly tens: OutputTag<number>,
  ) {
    super('Splitter', output);
  }
  processElement(value: unknown, timestamp: number): void {
    const n = value as number;
    if (n % 2 === 1) this.output.collectSide(this.odd, n, timestamp);
    if (n % 10 === 0) this.output.collectSide(this.tens, n, timestamp);
    this.output.collect(n, timestamp);
  }
}

describe('side outputs', () => {
  it('reach only the consumer of their tag (a tag recreated by id matches); records of unconsumed tags are dropped', () => {
    const main = new CollectingOutput();
    const odd = new CollectingOutput();
    const mainMap = new StreamMap('Main', (x) => x, main);
    const oddMap = new StreamMap('Odd', (x) => `odd ${String(x)}`, odd);
    // The consumer registers for a tag with the same id as the producer's, as a worker rebuilding the job would.
    const output = new BroadcastingOutput([new ChainingOutput(mainMap), new ChainingOutput(oddMap, new OutputTag('odd'))]);
    const splitter = new Splitter(output, new OutputTag<number>('odd'), new OutputTag<number>('tens'));
    for (let i = 1; i <= 10; i++) splitter.processElement(i, i * 100);
    splitter.processWatermark(1000);
    assert.deepEqual(main.values, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(
      odd.emitted.filter((e) => e.kind === 'record'),
      [1, 3, 5, 7, 9].map((n) => ({ kind: 'record', value: `odd ${n}`, timestamp: n * 100 })),
    );
    // Watermarks reach every consumer, side outputs included.
    assert.deepEqual(main.emitted.at(-1), { kind: 'watermark', watermark: 1000 });
    assert.deepEqual(odd.emitted.at(-1), { kind: 'watermark', watermark: 1000 });
  });

  it('do not reach an operator linked directly as the main output (no ChainingOutput frame in between)', () => {
    const main = new CollectingOutput();
    const map = new StreamMap('Main', (x) => x, main);
    const direct = chainingOutputOf(map);
    assert.equal(direct, map, 'a registered operator class is its own main-input Output');
    assert.ok(chainingOutputOf(map, new OutputTag('odd')) instanceof ChainingOutput, 'a side-output consumer gets a tagged ChainingOutput');
    const splitter = new Splitter(direct, new OutputTag<number>('odd'), new OutputTag<number>('tens'));
    for (let i = 1; i <= 3; i++) splitter.processElement(i, i);
    splitter.processWatermark(7);
    assert.deepEqual(main.emitted, [
      { kind: 'record', value: 1, timestamp: 1 },
      { kind: 'record', value: 2, timestamp: 2 },
      { kind: 'record', value: 3, timestamp: 3 },
      { kind: 'watermark', watermark: 7 },
    ]);
  });

  it('are refused an empty id', () => {
    assert.throws(() => new OutputTag(''), TypeError);
  });
});

describe('a two-input operator', () => {
  it('maps each input with its own function and advances its watermark to the minimum of both inputs', () => {
    const out = new CollectingOutput();
    const co = new CoStreamMap('Co-Map', (x) => `a${String(x)}`, (x) => `b${String(x)}`, out);
    co.processElement1(1, 10);
    co.processElement2(2, 20);
    co.processWatermark1(100); // input 2 has none yet: no watermark
    co.processWatermark2(50); // min 50
    co.processWatermark2(300); // min 100
    co.processWatermark1(200); // min 200
    co.processWatermark1(150); // input 1 went back: the minimum (150) is below 200, nothing new
    co.processWatermark1(MAX_WATERMARK);
    co.processWatermark2(MAX_WATERMARK);
    assert.deepEqual(out.emitted, [
      { kind: 'record', value: 'a1', timestamp: 10 },
      { kind: 'record', value: 'b2', timestamp: 20 },
      { kind: 'watermark', watermark: 50 },
      { kind: 'watermark', watermark: 100 },
      { kind: 'watermark', watermark: 200 },
      { kind: 'watermark', watermark: 300 },
      { kind: 'watermark', watermark: MAX_WATERMARK },
    ]);
  });
});

/** Records every lifecycle call into `log`; may throw from one of them. */
class Recording extends AbstractStreamOperator implements OneInputStreamOperator {
  constructor(
    name: string,
    private readonly log: string[],
    private readonly throwIn: string | undefined = undefined,
  ) {
    super(name, new CollectingOutput());
  }
  private call(what: string): void {
    this.log.push(`${what} ${this.name}`);
    if (this.throwIn === what) throw new Error(`${what} of ${this.name} failed`);
  }
  override initializeState(): void {
    this.call('initializeState');
  }
  override open(): void {
    this.call('open');
  }
  processElement(): void {
    this.call('process');
  }
  override finish(): boolean {
    this.call('finish');
    return true;
  }
  override close(): void {
    this.call('close');
  }
}

describe('OperatorChain lifecycle', () => {
  it('opens tail to head, finishes head to tail, closes tail to head, once', () => {
    const log: string[] = [];
    const c = new OperatorChain(['A', 'B', 'C'].map((n) => new Recording(n, log)));
    c.initializeStateAndOpen();
    (c.head as Recording).processElement();
    c.finish();
    c.close();
    c.close();
    assert.deepEqual(log, [
      'initializeState C', 'open C', 'initializeState B', 'open B', 'initializeState A', 'open A',
      'process A',
      'finish A', 'finish B', 'finish C',
      'close C', 'close B', 'close A',
    ]);
  });

  it('closes every operator after a failure, and after a close that throws rethrows the first error', () => {
    const log: string[] = [];
    const c = new OperatorChain([new Recording('A', log), new Recording('B', log, 'finish'), new Recording('C', log, 'close')]);
    c.initializeStateAndOpen();
    assert.throws(() => c.finish(), /finish of B failed/);
    assert.throws(() => c.close(), /close of C failed/);
    assert.deepEqual(log.slice(-5), ['finish A', 'finish B', 'close C', 'close B', 'close A']);
  });
});

describe('OperatorChain with a native keyed aggregation (the addon, managed memory)', () => {
  const TYPE = Types.TUPLE(Types.STRING, Types.DOUBLE);
  function nativeChain(memory: ManagedMemory, sink: Output, mode: 'STREAMING' | 'BATCH') {
    const options = { type: TYPE, keyFields: [0], aggregation: 'sum' as const, field: 1, mode, maxParallelism: 128, managedMemory: memory, operatorName: 'Sum (1/1)' };
    const head = new NativeKeyedAggregationOperator('Sum', options, TYPE, sink);
    return { head, chain: new OperatorChain([head]) };
  }

  it('emits BATCH finals at finish and returns its managed memory at close', () => {
    const memory = ManagedMemory.create(16 << 20);
    const out = new CollectingOutput();
    const { head, chain } = nativeChain(memory, out, 'BATCH');
    chain.initializeStateAndOpen();
    const bytes = frameRecords(TYPE, [['a', 1], ['b', 2], ['a', 3]]);
    head.processSlice(bytes, 0, bytes.length);
    assert.ok(memory.usage().used > 0, 'the table holds managed memory while open');
    chain.finish();
    assert.deepEqual(out.values, [['a', 4], ['b', 2]]);
    chain.close();
    assert.equal(memory.usage().used, 0);
    assert.equal(head.stats()?.recordsIn, 3, 'its figures stay readable after close');
  });

  it('returns its managed memory when the operator after it fails', () => {
    const memory = ManagedMemory.create(16 << 20);
    const failing = new StreamMap('Fails', () => {
      throw new Error('downstream broke');
    }, new CollectingOutput());
    const { head, chain } = nativeChain(memory, chainingOutputOf(failing), 'STREAMING');
    chain.initializeStateAndOpen();
    const bytes = frameRecords(TYPE, [['a', 1]]);
    assert.throws(() => head.processSlice(bytes, 0, bytes.length), (e: unknown) => e instanceof UserFunctionError && e.operatorName === 'Fails');
    assert.ok(memory.usage().used > 0);
    chain.close(); // what the task's abort does
    assert.equal(memory.usage().used, 0);
  });
});
