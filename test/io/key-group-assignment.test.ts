import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  assignKeyToParallelOperator,
  assignKeyToParallelOperatorUnchecked,
  assignToKeyGroup,
  computeDefaultMaxParallelism,
  computeKeyGroupForKeyHash,
  computeKeyGroupRangeForOperatorIndex,
  computeOperatorIndexForKeyGroup,
  murmurHash,
  roundUpToPowerOfTwo,
} from '../../src/io/key-group-assignment.js';
import {
  javaBooleanHashCode,
  javaDoubleHashCode,
  javaHashCode,
  javaLongHashCode,
  javaLongHashCodeOfSafeInteger,
  javaStringHashCode,
} from '../../src/io/key-hash.js';

/** A key as the Java oracle describes it. Long and Double values are strings (exact, NaN-safe). */
interface TypedValue {
  javaType: string;
  value: unknown;
}
interface FixtureKey extends TypedValue {
  hashCode: number;
}
interface Fixture {
  keys: FixtureKey[];
  rows: Array<{ key: number; hashCode: number; parallelism: number; maxParallelism: number; keyGroup: number; subtask: number }>;
  defaultMaxParallelism: Array<[number, number]>;
  keyGroupRanges: Array<[number, number, number, number, number]>;
  murmur: Array<[number, number]>;
}

const fixture: Fixture = JSON.parse(
  readFileSync(new URL('../../../test/io/fixtures/flink-key-groups.json', import.meta.url), 'utf8'),
);

/** Hash by declared Java type, with the explicit helpers (independent of the JS -> Java mapping). */
function typedHash(k: TypedValue): number {
  switch (k.javaType) {
    case 'String': return javaStringHashCode(k.value as string);
    case 'Integer': return k.value as number;
    case 'Long': return javaLongHashCode(BigInt(k.value as string));
    case 'Double': return javaDoubleHashCode(Number(k.value));
    case 'Boolean': return javaBooleanHashCode(k.value as boolean);
    case 'null': return 0;
    default: {
      assert.match(k.javaType, /^Tuple\d+$/);
      let h = 0;
      for (const f of k.value as TypedValue[]) h = (Math.imul(31, h) + typedHash(f)) | 0;
      return h;
    }
  }
}

/**
 * The JS value that strom's automatic mapping hashes as the same Java type, or `undefined` when
 * no such value exists (a Java Double with an integral value such as 2.0 or -0.0 is hashed as an
 * Integer/Long in JS, by design). Longs become bigints (always hashed as Long).
 */
function jsValue(k: TypedValue): { ok: true; value: unknown } | { ok: false } {
  switch (k.javaType) {
    case 'String': case 'Integer': case 'Boolean': return { ok: true, value: k.value };
    case 'null': return { ok: true, value: null };
    case 'Long': return { ok: true, value: BigInt(k.value as string) };
    case 'Double': {
      const d = Number(k.value);
      return Number.isSafeInteger(d) ? { ok: false } : { ok: true, value: d };
    }
    default: {
      const out: unknown[] = [];
      for (const f of k.value as TypedValue[]) {
        const v = jsValue(f);
        if (!v.ok) return v;
        out.push(v.value);
      }
      return { ok: true, value: out };
    }
  }
}

describe('Java hashCode (fixture from the Java oracle)', () => {
  it('covers the key kinds the brief lists', () => {
    const types = new Set(fixture.keys.map((k) => k.javaType));
    for (const t of ['String', 'Integer', 'Long', 'Double', 'Boolean', 'Tuple2', 'Tuple3']) assert.ok(types.has(t), t);
    assert.ok(fixture.keys.some((k) => k.javaType === 'String' && /[\ud800-\udbff][\udc00-\udfff]/.test(k.value as string)));
  });

  it('matches every key with the typed helpers', () => {
    for (const k of fixture.keys) assert.equal(typedHash(k), k.hashCode, JSON.stringify(k));
  });

  it('matches every key through the automatic JS -> Java mapping where one exists', () => {
    let checked = 0;
    for (const k of fixture.keys) {
      const v = jsValue(k);
      if (!v.ok) continue;
      assert.equal(javaHashCode(v.value), k.hashCode, JSON.stringify(k));
      checked++;
    }
    assert.ok(checked >= fixture.keys.length - 5, `only ${checked} keys checked`);
  });

  it('hashes safe-integer Longs given as JS numbers like Java Long', () => {
    for (const k of fixture.keys) {
      if (k.javaType !== 'Long') continue;
      const n = Number(k.value);
      if (!Number.isSafeInteger(n)) continue;
      assert.equal(javaHashCode(n), k.hashCode, String(k.value));
      assert.equal(javaLongHashCodeOfSafeInteger(n), k.hashCode, String(k.value));
    }
  });
});

describe('key groups and subtasks (fixture)', () => {
  it('matches murmurHash', () => {
    for (const [input, output] of fixture.murmur) assert.equal(murmurHash(input), output, String(input));
  });

  it('matches key group and subtask for every key x parallelism x maxParallelism', () => {
    assert.ok(fixture.rows.length > 1000);
    for (const r of fixture.rows) {
      const keyGroup = computeKeyGroupForKeyHash(r.hashCode, r.maxParallelism);
      assert.equal(keyGroup, r.keyGroup, JSON.stringify(r));
      assert.equal(computeOperatorIndexForKeyGroup(r.maxParallelism, r.parallelism, keyGroup), r.subtask, JSON.stringify(r));
      const v = jsValue(fixture.keys[r.key]!);
      if (v.ok && v.value !== null) {
        assert.equal(assignToKeyGroup(v.value, r.maxParallelism), r.keyGroup);
        assert.equal(assignKeyToParallelOperator(v.value, r.maxParallelism, r.parallelism), r.subtask);
        assert.equal(assignKeyToParallelOperatorUnchecked(v.value, r.maxParallelism, r.parallelism), r.subtask);
      }
    }
  });

  it('matches computeDefaultMaxParallelism', () => {
    for (const [p, expected] of fixture.defaultMaxParallelism) assert.equal(computeDefaultMaxParallelism(p), expected, String(p));
  });

  it('matches computeKeyGroupRangeForOperatorIndex', () => {
    for (const [maxP, p, op, start, end] of fixture.keyGroupRanges) {
      assert.deepEqual(computeKeyGroupRangeForOperatorIndex(maxP, p, op), { start, end });
    }
  });
});

describe('key-group-assignment properties', () => {
  it('murmurHash is non-negative and maps the MIN_VALUE result to 0 (formula check)', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (x) => {
      const m = murmurHash(x);
      assert.ok(Number.isInteger(m) && m >= 0 && m <= 0x7fffffff);
    }));
  });

  it('ranges partition [0, maxP) without gaps or overlaps and agree with computeOperatorIndexForKeyGroup (all p <= 128)', () => {
    for (const maxP of [128, 129, 256, 1000, 32768]) {
      for (let p = 1; p <= 128; p++) {
        let next = 0;
        for (let op = 0; op < p; op++) {
          const { start, end } = computeKeyGroupRangeForOperatorIndex(maxP, p, op);
          assert.equal(start, next, `maxP=${maxP} p=${p} op=${op}`);
          assert.ok(end >= start, `empty range maxP=${maxP} p=${p} op=${op}`);
          assert.equal(computeOperatorIndexForKeyGroup(maxP, p, start), op);
          assert.equal(computeOperatorIndexForKeyGroup(maxP, p, end), op);
          next = end + 1;
        }
        assert.equal(next, maxP, `maxP=${maxP} p=${p}`);
      }
    }
    // Every key group of a small maxP maps into its range.
    for (let p = 1; p <= 128; p++) {
      for (let g = 0; g < 128; g++) {
        const op = computeOperatorIndexForKeyGroup(128, p, g);
        const { start, end } = computeKeyGroupRangeForOperatorIndex(128, p, op);
        assert.ok(g >= start && g <= end);
      }
    }
  });

  it('computes the default max parallelism', () => {
    assert.equal(computeDefaultMaxParallelism(1), 128);
    assert.equal(computeDefaultMaxParallelism(85), 128);
    assert.equal(computeDefaultMaxParallelism(86), 256);
    assert.equal(computeDefaultMaxParallelism(128), 256);
    assert.equal(computeDefaultMaxParallelism(1000), 2048);
    assert.equal(computeDefaultMaxParallelism(21845), 32768);
    assert.equal(computeDefaultMaxParallelism(32768), 32768);
    assert.equal(roundUpToPowerOfTwo(1), 1);
    assert.equal(roundUpToPowerOfTwo(129), 256);
  });

  it('rejects bad arguments with clear errors', () => {
    assert.throws(() => computeKeyGroupForKeyHash(1, 0), { name: 'RangeError', message: /Invalid maxParallelism 0: expected an integer from 1 to 32768/ });
    assert.throws(() => computeKeyGroupForKeyHash(1, 32769), { name: 'RangeError', message: /maxParallelism 32769/ });
    assert.throws(() => assignKeyToParallelOperator('a', 128, 129), {
      name: 'RangeError', message: /Invalid parallelism 129: expected an integer from 1 to maxParallelism \(128\)/,
    });
    assert.throws(() => assignKeyToParallelOperator('a', 128, 0), { name: 'RangeError' });
    assert.throws(() => computeOperatorIndexForKeyGroup(128, 4, 128), { name: 'RangeError', message: /keyGroup 128: expected an integer from 0 to 127/ });
    assert.throws(() => computeKeyGroupRangeForOperatorIndex(128, 4, 4), { name: 'RangeError', message: /operatorIndex 4: expected an integer from 0 to 3/ });
    assert.throws(() => computeDefaultMaxParallelism(0), { name: 'RangeError' });
    assert.throws(() => assignToKeyGroup(undefined, 128), { name: 'TypeError', message: /must not be null or undefined/ });
    assert.throws(() => assignKeyToParallelOperator(null, 128, 2), { name: 'TypeError' });
    assert.throws(() => assignKeyToParallelOperatorUnchecked(undefined, 128, 2), { name: 'TypeError' });
  });
});

describe('javaHashCode mapping details', () => {
  it('hashes int32 numbers as Integer, -0 like 0', () => {
    assert.equal(javaHashCode(0), 0);
    assert.equal(javaHashCode(-0), 0);
    assert.equal(javaHashCode(-5), -5);
    assert.equal(javaHashCode(2147483647), 2147483647);
  });

  it('hashes larger safe integers as Long, agreeing with bigint', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => {
      fc.pre(n !== (n | 0));
      assert.equal(javaHashCode(n), javaLongHashCode(BigInt(n)));
    }));
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (b) => {
      const x = BigInt.asUintN(64, b);
      assert.equal(javaLongHashCode(b), Number(BigInt.asIntN(32, (x & 0xffffffffn) ^ (x >> 32n))));
    }));
    assert.equal(javaLongHashCode(2n ** 64n + 5n), javaLongHashCode(5n), 'wraps to 64 bits');
  });

  it('hashes other numbers as Double, canonicalising NaN', () => {
    assert.equal(javaDoubleHashCode(NaN), 2146959360);
    assert.equal(javaHashCode(NaN), 2146959360);
    assert.equal(javaDoubleHashCode(0), 0);
    assert.equal(javaDoubleHashCode(-0), -2147483648);
    assert.equal(javaHashCode(1.5), 1073217536);
  });

  it('hashes tuples, null fields and objects with hashCode()', () => {
    assert.equal(javaHashCode([]), 0);
    assert.equal(javaHashCode(['a', 1]), 31 * 97 + 1);
    assert.equal(javaHashCode([null, 5]), 5);
    assert.equal(javaHashCode([undefined, 5]), 5);
    assert.equal(javaHashCode({ hashCode: () => 2 ** 32 + 7 }), 7);
    assert.equal(javaHashCode(true), 1231);
    assert.equal(javaHashCode(false), 1237);
  });

  it('rejects unsupported key types with a TypeError', () => {
    assert.throws(() => javaHashCode({ a: 1 }), { name: 'TypeError', message: /Invalid key \{"a":1\}: expected a string, number/ });
    assert.throws(() => javaHashCode(Symbol('x')), TypeError);
    assert.throws(() => javaHashCode(() => 1), TypeError);
  });

  it('String.hashCode overflows like int32 and counts UTF-16 code units', () => {
    assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
    assert.equal(javaStringHashCode('\u{1F600}'), 0xd83d * 31 + 0xde00);
  });
});
