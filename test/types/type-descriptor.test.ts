import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { describeType, FieldKindCode, isNativeAggregatable } from '../../src/types/type-descriptor.js';
import { Types, type TypeInformation } from '../../src/types/type-information.js';

const { STRING: S, DOUBLE: D, LONG: L, BOOLEAN: B, TUPLE: T, GENERIC: G } = FieldKindCode;

describe('describeType', () => {
  it('writes primitives as one word', () => {
    assert.deepEqual([...describeType(Types.STRING)], [S]);
    assert.deepEqual([...describeType(Types.DOUBLE)], [D]);
    assert.deepEqual([...describeType(Types.NUMBER)], [D]);
    assert.deepEqual([...describeType(Types.LONG)], [L]);
    assert.deepEqual([...describeType(Types.BOOLEAN)], [B]);
    assert.deepEqual([...describeType(Types.GENERIC)], [G]);
    assert.ok(describeType(Types.STRING) instanceof Int32Array);
  });

  it('writes tuples and rows in prefix notation, rows like tuples', () => {
    const tuple = Types.TUPLE(Types.STRING, Types.TUPLE(Types.LONG, Types.BOOLEAN), Types.DOUBLE);
    assert.deepEqual([...describeType(tuple)], [T, 3, S, T, 2, L, B, D]);
    const row = Types.ROW({ word: Types.STRING, inner: Types.ROW({ n: Types.LONG }), pair: Types.TUPLE() });
    assert.deepEqual([...describeType(row)], [T, 3, S, T, 1, L, T, 0]);
  });

  it('describes foreign type information as GENERIC', () => {
    const foreign: TypeInformation<unknown> = { name: 'X', createSerializer: () => Types.GENERIC.createSerializer() };
    assert.deepEqual([...describeType(Types.TUPLE(Types.STRING, foreign))], [T, 2, S, G]);
  });
});

describe('built-in types from another copy of strom (a job module loaded by tsx in a worker)', () => {
  // What another copy's Types.STRING looks like: equal in every field, not identical.
  const copyOf = (t: TypeInformation<unknown>): TypeInformation<unknown> => Object.freeze({ ...t });

  it('are recognised by their brand, so the plan\'s native choice holds in the worker', () => {
    const tuple = { ...Types.TUPLE(Types.STRING, Types.DOUBLE), fieldTypes: [copyOf(Types.STRING), copyOf(Types.DOUBLE)] };
    assert.notEqual(tuple.fieldTypes[0], Types.STRING);
    assert.equal(isNativeAggregatable(tuple), true);
    assert.deepEqual([...describeType(tuple)], [T, 2, S, D]);
    assert.deepEqual([...describeType(copyOf(Types.LONG))], [L]);
    assert.deepEqual([...describeType(copyOf(Types.GENERIC))], [G]);
  });

  it('need the brand: a look-alike named STRING is foreign (GENERIC)', () => {
    const lookAlike: TypeInformation<unknown> = { name: 'STRING', createSerializer: () => Types.STRING.createSerializer() };
    assert.equal(isNativeAggregatable(lookAlike), false);
  });
});

describe('isNativeAggregatable', () => {
  it('is true exactly when no GENERIC appears', () => {
    assert.equal(isNativeAggregatable(Types.STRING), true);
    assert.equal(isNativeAggregatable(Types.TUPLE(Types.STRING, Types.ROW({ a: Types.LONG }))), true);
    assert.equal(isNativeAggregatable(Types.GENERIC), false);
    assert.equal(isNativeAggregatable(Types.TUPLE(Types.STRING, Types.ROW({ a: Types.GENERIC }))), false);
  });
});
