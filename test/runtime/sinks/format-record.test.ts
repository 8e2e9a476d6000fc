import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatRecord } from '../../../src/runtime/sinks/format-record.js';

describe('formatRecord', () => {
  it('formats values the way Flink prints them (table)', () => {
    class Point {
      constructor(readonly x: number, readonly y: number) {}
    }
    class Named {
      toString(): string {
        return 'Named!';
      }
    }
    const cases: Array<[unknown, string]> = [
      // tuples: Flink's Tuple.toString, no spaces, nested recursively
      [['a', 1], '(a,1)'],
      [['hello', 3], '(hello,3)'],
      [['a', ['b', 2], [1, [true, null]]], '(a,(b,2),(1,(true,null)))'],
      [[], '()'],
      [['a,b', 'c d'], '(a,b,c d)'],
      [[1n, 2.5, false], '(1,2.5,false)'],
      // strings as is
      ['hello, world', 'hello, world'],
      ['', ''],
      // numbers as JS prints them
      [3, '3'],
      [0.1, '0.1'],
      [-0, '0'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
      [1e21, '1e+21'],
      [123456789012, '123456789012'],
      // bigint without n
      [9007199254740993n, '9007199254740993'],
      [-5n, '-5'],
      [true, 'true'],
      [false, 'false'],
      [null, 'null'],
      [undefined, 'undefined'],
      // rows (plain objects): {name=value, ...}
      [{ word: 'a', count: 1 }, '{word=a, count=1}'],
      [{ t: ['x', 2], r: { n: null } }, '{t=(x,2), r={n=null}}'],
      [{}, '{}'],
      [Object.assign(Object.create(null) as object, { a: 1 }), '{a=1}'],
      [['k', { v: 1n }], '(k,{v=1})'],
      // class instances: own toString, else like a row
      [new Named(), 'Named!'],
      [new Point(1, 2), '{x=1, y=2}'],
      [new Error('boom'), 'Error: boom'],
      // collections, bytes, dates
      [new Map<unknown, unknown>([['a', 1], ['b', [2, 3]]]), '{a=1, b=(2,3)}'],
      [new Set([1, 'x']), '[1, x]'],
      [new Uint8Array([1, 2, 255]), '[1, 2, 255]'],
      [Buffer.from([0, 16]), '[0, 16]'],
      [new BigInt64Array([1n, -2n]), '[1, -2]'],
      [new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), '2024-01-02T03:04:05.006Z'],
      [new Date(NaN), 'Invalid Date'],
    ];
    for (const [value, expected] of cases) {
      assert.equal(formatRecord(value), expected, `formatRecord(${String(expected)})`);
    }
  });

  it('stops at cycles instead of recursing forever', () => {
    const tuple: unknown[] = ['a'];
    tuple.push(tuple);
    const text = formatRecord(tuple);
    assert.ok(text.startsWith('(a,(a,(a,'));
    assert.ok(text.includes('...'));
  });
});
