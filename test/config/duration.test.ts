import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

describe('parseDuration', () => {
  it('reads a plain number as milliseconds', () => {
    assert.equal(parseDuration('100'), 100);
    assert.equal(parseDuration(250), 250);
    assert.equal(parseDuration(' 0 '), 0);
  });

  it('reads every unit label, case-insensitively, with optional whitespace', () => {
    const cases: Array<[string, number]> = [
      ['2d', 172_800_000], ['1 day', 86_400_000], ['3days', 259_200_000],
      ['1h', 3_600_000], ['2 hour', 7_200_000], ['2 HOURS', 7_200_000],
      ['5min', 300_000], ['5m', 300_000], ['1 minute', 60_000], ['2minutes', 120_000],
      ['1s', 1000], ['2 sec', 2000], ['2secs', 2000], ['1 second', 1000], ['3 Seconds', 3000],
      ['100ms', 100], ['7 milli', 7], ['7millis', 7], ['1 millisecond', 1], ['12 milliseconds', 12],
      ['1500us', 1.5], ['1500µs', 1.5], ['250 micro', 0.25], ['2 micros', 0.002], ['1 microsecond', 0.001],
      ['3 microseconds', 0.003],
      ['1000000ns', 1], ['500000 nano', 0.5], ['2nanos', 0.000002], ['1 nanosecond', 0.000001],
      ['4 nanoseconds', 0.000004],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  });

  it('reads a leading minus sign (options decide which negatives they accept)', () => {
    assert.equal(parseDuration('-1'), -1);
    assert.equal(parseDuration('-1ms'), -1);
    assert.equal(parseDuration('-2 s'), -2000);
    assert.equal(parseDuration(-1), -1);
    assert.ok(Object.is(parseDuration('-0'), 0));
  });

  it('rejects malformed text with Flink-style messages', () => {
    assert.throws(() => parseDuration(''), { name: 'TypeError', message: /empty or whitespace only/ });
    assert.throws(() => parseDuration('ms'), { name: 'TypeError', message: /does not start with a number/ });
    assert.throws(() => parseDuration('-'), { name: 'TypeError', message: /does not start with a number/ });
    assert.throws(() => parseDuration('10 fortnights'), {
      name: 'TypeError',
      message:
        /time interval unit label 'fortnights' does not match any of the recognized units: DAYS: \(d \| day \| days\), HOURS/,
    });
    assert.throws(() => parseDuration('1.5s'), { message: /unit label '\.5s'/ });
    assert.throws(() => parseDuration('99999999999999999999'), { name: 'RangeError', message: /safe integer/ });
    assert.throws(() => parseDuration(Infinity), { name: 'RangeError' });
  });
});

describe('formatDuration', () => {
  it('uses the largest exact unit and round-trips', () => {
    assert.equal(formatDuration(0), '0ms');
    assert.equal(formatDuration(100), '100ms');
    assert.equal(formatDuration(1000), '1s');
    assert.equal(formatDuration(90_000), '90s');
    assert.equal(formatDuration(120_000), '2min');
    assert.equal(formatDuration(86_400_000), '1d');
    assert.equal(formatDuration(-1), '-1ms');
    assert.equal(formatDuration(0.5), '500us');
    assert.equal(formatDuration(0.000001), '1ns');
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (ms) => {
        assert.equal(parseDuration(formatDuration(ms)), ms);
      }),
    );
  });
});
