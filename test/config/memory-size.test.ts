import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatMemorySize, parseMemorySize } from '../../src/config/memory-size.js';

describe('parseMemorySize', () => {
  it('reads a plain number as bytes', () => {
    assert.equal(parseMemorySize('4096'), 4096);
    assert.equal(parseMemorySize(' 0 '), 0);
    assert.equal(parseMemorySize(123), 123);
  });

  it('reads every unit label with binary multiples, case-insensitively, with optional whitespace', () => {
    const cases: Array<[string, number]> = [
      ['1b', 1], ['7bytes', 7], ['7 BYTES', 7],
      ['32k', 32768], ['32kb', 32768], ['32 KB', 32768], ['32kibibytes', 32768],
      ['64m', 64 * 2 ** 20], ['64 mb', 64 * 2 ** 20], ['64Mebibytes', 64 * 2 ** 20],
      ['1g', 2 ** 30], ['1GB', 2 ** 30], ['1 gibibytes', 2 ** 30],
      ['2t', 2 * 2 ** 40], ['2tb', 2 * 2 ** 40], ['2 tebibytes', 2 * 2 ** 40],
      ['  16   mb  ', 16 * 2 ** 20],
    ];
    for (const [text, bytes] of cases) assert.equal(parseMemorySize(text), bytes, text);
  });

  it('rejects malformed text with a message saying what is wrong', () => {
    assert.throws(() => parseMemorySize(''), { name: 'TypeError', message: /empty or whitespace only/ });
    assert.throws(() => parseMemorySize('   '), { name: 'TypeError', message: /empty or whitespace only/ });
    assert.throws(() => parseMemorySize('mb'), { name: 'TypeError', message: /does not start with a number/ });
    assert.throws(() => parseMemorySize('-1kb'), { name: 'TypeError', message: /does not start with a number/ });
    assert.throws(() => parseMemorySize('1.5mb'), {
      name: 'TypeError',
      message: /unit '\.5mb' does not match any of the recognized units: \(b \| bytes\) \/ \(k \| kb \| kibibytes\)/,
    });
    assert.throws(() => parseMemorySize('12 parsecs'), { message: /unit 'parsecs' does not match/ });
  });

  it('rejects sizes beyond 2^53 - 1 bytes and bad numbers', () => {
    assert.throws(() => parseMemorySize('8192t'), { name: 'RangeError', message: /exceeds the largest supported size/ });
    assert.throws(() => parseMemorySize('99999999999999999999'), { name: 'RangeError' });
    assert.throws(() => parseMemorySize(-1), { name: 'RangeError', message: /non-negative integer/ });
    assert.throws(() => parseMemorySize(1.5), { name: 'RangeError' });
    assert.throws(() => parseMemorySize(NaN), { name: 'RangeError' });
  });
});

describe('formatMemorySize', () => {
  it('uses the largest exact unit', () => {
    assert.equal(formatMemorySize(0), '0b');
    assert.equal(formatMemorySize(100), '100b');
    assert.equal(formatMemorySize(32768), '32kb');
    assert.equal(formatMemorySize(1536), '1536b');
    assert.equal(formatMemorySize(64 * 2 ** 20), '64mb');
    assert.equal(formatMemorySize(2 ** 30), '1gb');
    assert.equal(formatMemorySize(3 * 2 ** 40), '3tb');
    assert.equal(formatMemorySize(2 ** 50), '1024tb');
    assert.throws(() => formatMemorySize(-1), RangeError);
  });

  it('round-trips through parseMemorySize', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 4 }), (n, shift) => {
        const bytes = n * 2 ** (10 * shift);
        fc.pre(Number.isSafeInteger(bytes));
        assert.equal(parseMemorySize(formatMemorySize(bytes)), bytes);
      }),
    );
  });
});
