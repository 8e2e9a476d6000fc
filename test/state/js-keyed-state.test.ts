import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CorruptRecordError, StromError, UserFunctionError } from '../../src/errors.js';
import { assignToKeyGroup } from '../../src/io/key-group-assignment.js';
import { JsKeyedReduce, type JsKeyedReduceOptions } from '../../src/state/js-keyed-reduce.js';
import { crc32 } from '../../src/state/js-keyed-state-snapshot.js';
import { JsKeyedState, type JsKey } from '../../src/state/js-keyed-state.js';
import { Types } from '../../src/types/type-information.js';

const SEED = 0x5eed;

type Rec = [JsKey, number];

/** A reference key: SameValueZero on primitives, by value on tuples, `1` distinct from `1n`. */
function refKey(k: unknown): string {
  if (Array.isArray(k)) return `[${k.map(refKey).join(',')}]`;
  if (typeof k === 'number') return Number.isNaN(k) ? 'n:NaN' : `n:${k === 0 ? 0 : k}`;
  if (typeof k === 'string') return `s:${JSON.stringify(k)}`;
  return `${typeof k}:${String(k)}`;
}

const sumReduce = (acc: Rec, r: Rec): Rec => [acc[0], acc[1] + r[1]];

/** Flink's reduce in plain JS: first record as is, then fn(acc, r); BATCH finals in first-seen order. */
function referenceReduce(records: Rec[], mode: 'STREAMING' | 'BATCH'): Rec[] {
  const acc = new Map<string, Rec>();
  const out: Rec[] = [];
  for (const r of records) {
    const k = refKey(r[0]);
    const prev = acc.get(k);
    const next = prev === undefined ? r : sumReduce(prev, r);
    acc.set(k, next);
    if (mode === 'STREAMING') out.push(next);
  }
  if (mode === 'BATCH') out.push(...acc.values());
  return out;
}

function makeReduce(
  mode: 'STREAMING' | 'BATCH',
  out: Rec[],
  extra: Partial<JsKeyedReduceOptions<Rec, JsKey>> = {},
): JsKeyedReduce<Rec, JsKey> {
  return new JsKeyedReduce<Rec, JsKey>({
    operatorName: 'sum-by-key',
    keySelector: (r) => r[0],
    reduce: sumReduce,
    mode,
    maxParallelism: 128,
    emit: (r) => out.push(r),
    ...extra,
  });
}

const primitiveKey = fc.oneof(
  fc.constantFrom<JsKey>('a', 'b', '', 'héllo', '🦀', 0, -0, 1, NaN, 1.5, 2 ** 40, 1n, -(2n ** 63n), true, false),
  fc.string({ maxLength: 4 }),
  fc.integer({ min: -3, max: 3 }),
);
const tupleKey = fc.oneof(
  fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 2 })),
  fc.tuple(fc.constantFrom('a', 'b'), fc.constantFrom<JsKey>(0, -0, NaN, 1n, true, 'x')),
  fc.constantFrom<JsKey>([], ['a'], [['a', 1], null], [undefined, 'a'], [null, 'a']),
);
const anyKey: fc.Arbitrary<JsKey> = fc.oneof(primitiveKey, tupleKey as fc.Arbitrary<JsKey>);
/** Fresh arrays per record, so tuple keys are equal by value only, never by identity. */
const records = fc.array(fc.tuple(anyKey, fc.integer({ min: -1000, max: 1000 })), { maxLength: 80 }).map((rs) =>
  rs.map(([k, v]): Rec => [structuredClone(k), v]),
);

test('reduce matches the plain reference in STREAMING and BATCH', () => {
  fc.assert(
    fc.property(records, fc.constantFrom('STREAMING' as const, 'BATCH' as const), (rs, mode) => {
      const out: Rec[] = [];
      const op = makeReduce(mode, out);
      const returned = rs.map((r) => op.process(r));
      if (mode === 'BATCH') assert.equal(out.length, 0, 'BATCH emits nothing before finish()');
      op.finish();
      op.finish(); // idempotent
      assert.deepStrictEqual(out, referenceReduce(rs, mode));
      assert.deepStrictEqual(returned, referenceReduce(rs, 'STREAMING'));
      assert.equal(op.stats().keys, new Set(rs.map((r) => refKey(r[0]))).size);
      assert.equal(op.stats().recordsIn, rs.length);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('tuple keys compare by value; primitives like a Map', () => {
  const s = new JsKeyedState<JsKey, string>({ maxParallelism: 128 });
  const key = ['a', 1];
  s.put(key, 'x');
  key[1] = 2; // the state holds its own copy
  assert.equal(s.get(['a', 1]), 'x');
  assert.equal(s.get(['a', 2]), undefined);
  assert.equal(s.get(['a', '1']), undefined);
  assert.equal(s.get('a'), undefined);
  s.put([NaN, -0], 'nan');
  assert.equal(s.get([NaN, 0]), 'nan');
  s.put([['x', 1n], null], 'nested');
  assert.equal(s.get([['x', 1n], null]), 'nested');
  assert.equal(s.get([['x', 1], null]), undefined);
  assert.equal(s.get([['x', 1n], undefined]), undefined);
  assert.equal(s.get([['x', 1n]]), undefined);
  // a string that looks like a canonical tuple form is a different key
  s.put('[2:s1:an1;', 'string');
  assert.equal(s.get(['a', 1]), 'x');
  s.put(1, 'one');
  assert.equal(s.get(1n), undefined);
  s.put(-0, 'zero');
  assert.equal(s.get(0), 'zero');
  s.put(NaN, 'NaN');
  assert.equal(s.get(NaN), 'NaN');
  assert.equal(s.size, 7);
  assert.deepStrictEqual([...s.entries()].map((e) => e.value), ['x', 'nan', 'nested', 'string', 'one', 'zero', 'NaN']);
  for (const e of s.entries()) assert.equal(e.keyGroup, assignToKeyGroup(e.key, 128));
  assert.ok(s.memoryBytes > 0);
});

test('a key selector reusing one scratch array for tuple keys is safe', () => {
  const scratch: [string, number] = ['', 0];
  const out: Rec[] = [];
  const op = makeReduce('BATCH', out, {
    keySelector: (r) => {
      scratch[0] = r[0] as string;
      scratch[1] = r[1] % 2;
      return scratch;
    },
  });
  for (const r of [['a', 1], ['a', 2], ['b', 3], ['a', 5], ['b', 4]] as Rec[]) op.process(r);
  op.finish();
  assert.deepStrictEqual(out, [['a', 6], ['a', 2], ['b', 3], ['b', 4]]);
  assert.deepStrictEqual([...op.state.entries()].map((e) => e.key), [['a', 1], ['a', 0], ['b', 1], ['b', 0]]);
});

test('snapshot by key-group halves, restored into a fresh operator, continues like an uninterrupted run', () => {
  fc.assert(
    fc.property(
      records,
      fc.nat(),
      fc.integer({ min: 2, max: 300 }),
      fc.nat(),
      fc.constantFrom('STREAMING' as const, 'BATCH' as const),
      (rs, cutSeed, maxParallelism, midSeed, mode) => {
        const cut = rs.length === 0 ? 0 : cutSeed % (rs.length + 1);
        const mid = midSeed % (maxParallelism - 1); // halves [0, mid] and [mid + 1, maxP - 1], both non-empty
        const whole: Rec[] = [];
        const uninterrupted = makeReduce(mode, whole, { maxParallelism });
        for (const r of rs) uninterrupted.process(r);
        uninterrupted.finish();

        const out: Rec[] = [];
        const before = makeReduce(mode, out, { maxParallelism });
        for (const r of rs.slice(0, cut)) before.process(r);
        const low = before.snapshot(0, mid);
        const high = before.snapshot(mid + 1, maxParallelism - 1);

        // every key lands in the right half
        const lowState = new JsKeyedState<JsKey, Rec>({ maxParallelism });
        lowState.restore(low);
        const highState = new JsKeyedState<JsKey, Rec>({ maxParallelism });
        highState.restore(high);
        for (const e of lowState.entries()) assert.ok(assignToKeyGroup(e.key, maxParallelism) <= mid);
        for (const e of highState.entries()) assert.ok(assignToKeyGroup(e.key, maxParallelism) > mid);
        assert.equal(lowState.size + highState.size, before.state.size);

        const after = makeReduce(mode, out, { maxParallelism });
        after.restore(high);
        after.restore(low);
        for (const r of rs.slice(cut)) after.process(r);
        after.finish();
        if (mode === 'STREAMING') {
          assert.deepStrictEqual(out, whole);
        } else {
          // BATCH finals: same per-key values; restored keys come in snapshot order
          const byKey = (xs: Rec[]) => new Map(xs.map((r) => [refKey(r[0]), r]));
          assert.deepStrictEqual(byKey(out), byKey(whole));
          assert.equal(out.length, whole.length);
        }
      },
    ),
    { seed: SEED, numRuns: 200 },
  );
});

test('snapshots with declared key and value types round-trip', () => {
  const type = Types.TUPLE(Types.STRING, Types.DOUBLE);
  const s = new JsKeyedState<string, [string, number]>({ maxParallelism: 64, keyType: Types.STRING, valueType: type });
  for (const k of ['a', 'b', 'héllo', '']) s.put(k, [k, k.length + 0.5]);
  const t = new JsKeyedState<string, [string, number]>({ maxParallelism: 64, keyType: Types.STRING, valueType: type });
  t.restore(s.snapshot());
  assert.deepStrictEqual([...t.entries()].map((e) => [e.key, e.keyGroup, e.value]), [...s.entries()].map((e) => [e.key, e.keyGroup, e.value]));
  // a state of other types or another maxParallelism refuses it
  assert.throws(() => new JsKeyedState({ maxParallelism: 64 }).restore(s.snapshot()), CorruptRecordError);
  assert.throws(() => new JsKeyedState({ maxParallelism: 32, keyType: Types.STRING, valueType: type }).restore(s.snapshot()), CorruptRecordError);
  // restoring keys already held is refused, atomically
  const before = t.size;
  assert.throws(() => t.restore(s.snapshot(0, 63)), CorruptRecordError);
  assert.equal(t.size, before);
  assert.throws(() => s.snapshot(-1), RangeError);
  assert.throws(() => s.snapshot(0, 64), RangeError);
  assert.equal(new JsKeyedState({ maxParallelism: 64 }).snapshot(5, 4).length > 0, true); // empty range
});

function smallSnapshot(): Uint8Array {
  const s = new JsKeyedState<JsKey, unknown>({ maxParallelism: 16 });
  s.put('a', 1);
  s.put(['b', 2n], { n: 1.5 });
  s.put(7, 'seven');
  return s.snapshot();
}

test('every truncation and every single-bit flip of a snapshot throws CorruptRecordError', () => {
  const good = smallSnapshot();
  const fresh = () => new JsKeyedState<JsKey, unknown>({ maxParallelism: 16 });
  const ok = fresh();
  ok.restore(good);
  assert.equal(ok.size, 3);
  for (let n = 0; n < good.length; n++) {
    const s = fresh();
    assert.throws(() => s.restore(good.slice(0, n)), CorruptRecordError, `prefix of ${n} bytes`);
    assert.equal(s.size, 0);
  }
  for (let i = 0; i < good.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const bad = good.slice();
      bad[i]! ^= 1 << bit;
      const s = fresh();
      assert.throws(() => s.restore(bad), CorruptRecordError, `bit ${bit} of byte ${i}`);
      assert.equal(s.size, 0);
    }
  }
  const longer = new Uint8Array(good.length + 1);
  longer.set(good);
  assert.throws(() => fresh().restore(longer), CorruptRecordError);
});

test('a snapshot with a valid checksum but inconsistent contents is refused', () => {
  const good = smallSnapshot();
  const withCrc = (patch: (b: Buffer) => void) => {
    const b = Buffer.from(good);
    patch(b);
    b.writeUInt32LE(crc32(b, 0, b.length - 4), b.length - 4);
    return b;
  };
  const fresh = () => new JsKeyedState<JsKey, unknown>({ maxParallelism: 16 });
  // entry count too high / too low
  assert.throws(() => fresh().restore(withCrc((b) => b.writeInt32LE(4, 20))), CorruptRecordError);
  assert.throws(() => fresh().restore(withCrc((b) => b.writeInt32LE(2, 20))), CorruptRecordError);
  // first entry's key group changed (it follows the header and the two type names)
  const firstEntry = 32 + 4 + 'GENERIC'.length + 4 + 'GENERIC'.length;
  const moved = withCrc((b) => b.writeInt32LE((b.readInt32LE(firstEntry) + 1) % 16, firstEntry));
  assert.throws(() => fresh().restore(moved), /key group/);
  // version bump
  assert.throws(() => fresh().restore(withCrc((b) => b.writeUInt32LE(2, 4))), /version/);
  // a random Uint8Array and a non-Uint8Array
  assert.throws(() => fresh().restore(new Uint8Array(100)), CorruptRecordError);
  assert.throws(() => fresh().restore('nope' as unknown as Uint8Array), TypeError);
});

test('a throwing reduce function or key selector gives a UserFunctionError naming the operator, with the cause', () => {
  const out: Rec[] = [];
  const boom = new Error('boom');
  const op = makeReduce('STREAMING', out, {
    reduce: function sumOrExplode(acc, r) {
      if (r[1] === 13) throw boom;
      return sumReduce(acc, r);
    },
  });
  op.process(['k', 1]);
  assert.throws(() => op.process(['k', 13]), (e: unknown) => {
    assert.ok(e instanceof UserFunctionError);
    assert.ok(e instanceof StromError);
    assert.equal(e.code, 'ERR_USER_FUNCTION');
    assert.equal(e.cause, boom);
    assert.equal(e.operatorName, 'sum-by-key');
    assert.equal(e.functionName, 'sumOrExplode');
    assert.match(e.message, /'sum-by-key'/);
    assert.match(e.message, /boom/);
    return true;
  });
  assert.deepStrictEqual(op.state.get('k'), ['k', 1], 'state unchanged by the failed record');
  assert.deepStrictEqual(op.process(['k', 2]), ['k', 3]);

  const thrown = 'not an Error';
  const bySelector = makeReduce('STREAMING', [], {
    keySelector: () => {
      throw thrown;
    },
  });
  assert.throws(() => bySelector.process(['k', 1]), (e: unknown) => e instanceof UserFunctionError && e.cause === thrown && /sum-by-key/.test(e.message));

  const nullResult = makeReduce('STREAMING', [], { reduce: () => undefined as unknown as Rec });
  nullResult.process(['k', 1]);
  assert.throws(() => nullResult.process(['k', 1]), (e: unknown) => e instanceof TypeError && /sum-by-key/.test(e.message));
});

test('bad keys give a TypeError naming the operator', () => {
  const bad: unknown[] = [null, undefined, {}, { hashCode: () => 1 }, Symbol('s'), () => 1, [{}], ['a', Symbol('t')], new Date(0)];
  for (const key of bad) {
    const op = makeReduce('STREAMING', [], { keySelector: () => key as JsKey });
    assert.throws(() => op.process(['x', 1]), (e: unknown) => e instanceof TypeError && /sum-by-key/.test(e.message), String(typeof key));
    assert.equal(op.state.size, 0);
  }
  let deep: unknown[] = ['x'];
  for (let i = 0; i < 100; i++) deep = [deep];
  const op = makeReduce('STREAMING', [], { keySelector: () => deep as JsKey });
  assert.throws(() => op.process(['x', 1]), TypeError);
  assert.throws(() => makeReduce('STREAMING', [], { operatorName: '' }), TypeError);
  assert.throws(() => makeReduce('STREAMING', [], { maxParallelism: 0 }), RangeError);
});

test('memoryBytes is a growing estimate', () => {
  const s = new JsKeyedState<number, string>({ maxParallelism: 128 });
  assert.equal(s.memoryBytes, 0);
  s.put(1, 'x');
  const one = s.memoryBytes;
  for (let i = 2; i <= 1000; i++) s.put(i, 'x'.repeat(i % 10));
  assert.ok(s.memoryBytes > one * 500, `${s.memoryBytes} vs ${one}`);
});
