import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Configuration } from '../../src/config/configuration.js';
import {
  ALL_CONFIG_OPTIONS,
  BUFFER_TIMEOUT,
  MAX_PARALLELISM,
  MEMORY_SEGMENT_SIZE,
  NETWORK_BUFFERS_PER_CHANNEL,
  NETWORK_FLOATING_BUFFERS_PER_GATE,
  NETWORK_MAX_BUFFERS_PER_CHANNEL,
  NETWORK_MEMORY_FRACTION,
  NETWORK_MEMORY_MAX,
  NETWORK_MEMORY_MIN,
  TOTAL_PROCESS_MEMORY,
  findConfigOption,
} from '../../src/config/config-options.js';
import { levenshtein, nearestKey } from '../../src/config/nearest-key.js';
import { ConfigurationError } from '../../src/errors.js';

const MiB = 2 ** 20;

/** Asserts that `fn` throws a ConfigurationError for `key` whose message contains every fragment. */
function assertConfigError(fn: () => unknown, key: string, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigurationError, `expected ConfigurationError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_INVALID_CONFIG');
    assert.equal(e.key, key);
    for (const f of fragments) assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(f)}`);
    return true;
  });
}

describe('Configuration defaults', () => {
  it('returns the documented defaults', () => {
    const c = new Configuration();
    assert.equal(c.get(MEMORY_SEGMENT_SIZE), 32 * 1024);
    assert.equal(c.get(NETWORK_MEMORY_MIN), 64 * MiB);
    assert.equal(c.get(NETWORK_MEMORY_MAX), undefined); // follows network.min, or unbounded with a process size
    assert.equal(c.get(NETWORK_MEMORY_FRACTION), 0.1);
    assert.equal(c.get(TOTAL_PROCESS_MEMORY), undefined);
    assert.equal(c.get(NETWORK_BUFFERS_PER_CHANNEL), 2);
    assert.equal(c.get(NETWORK_FLOATING_BUFFERS_PER_GATE), 8);
    assert.equal(c.get(NETWORK_MAX_BUFFERS_PER_CHANNEL), 10);
    assert.equal(c.get(BUFFER_TIMEOUT), 100);
    assert.equal(c.get(MAX_PARALLELISM), -1);
  });

  it('declares every option with a description and a default that passes its own validation', () => {
    for (const o of ALL_CONFIG_OPTIONS) {
      assert.ok(o.description.length > 20, o.key);
      assert.ok(o.isValid(o.defaultValue), o.key);
      assert.equal(findConfigOption(o.key), o);
    }
  });
});

describe('Configuration.set / get', () => {
  it('set() takes precedence over the default, unset() restores it', () => {
    const c = new Configuration();
    assert.equal(c.contains(MEMORY_SEGMENT_SIZE), false);
    c.set('taskmanager.memory.segment-size', '4kb');
    assert.equal(c.get(MEMORY_SEGMENT_SIZE), 4096);
    assert.equal(c.contains(MEMORY_SEGMENT_SIZE), true);
    assert.equal(c.getOptional(MEMORY_SEGMENT_SIZE), 4096);
    assert.equal(c.unset(MEMORY_SEGMENT_SIZE), true);
    assert.equal(c.get(MEMORY_SEGMENT_SIZE), 32768);
    assert.equal(c.getOptional(MEMORY_SEGMENT_SIZE), undefined);
  });

  it('parses text and accepts typed values, by key or by option', () => {
    const c = new Configuration()
      .set(MEMORY_SEGMENT_SIZE, 65536)
      .set('taskmanager.memory.network.min', '128 mb')
      .set(NETWORK_MEMORY_FRACTION, '0.25')
      .set('taskmanager.network.memory.buffers-per-channel', '4')
      .set('execution.buffer-timeout', '1 s')
      .set(MAX_PARALLELISM, 256)
      .set('taskmanager.memory.process.size', '2g');
    assert.equal(c.get(MEMORY_SEGMENT_SIZE), 65536);
    assert.equal(c.get(NETWORK_MEMORY_MIN), 128 * MiB);
    assert.equal(c.get(NETWORK_MEMORY_FRACTION), 0.25);
    assert.equal(c.get(NETWORK_BUFFERS_PER_CHANNEL), 4);
    assert.equal(c.get(BUFFER_TIMEOUT), 1000);
    assert.equal(c.get(MAX_PARALLELISM), 256);
    assert.equal(c.get(TOTAL_PROCESS_MEMORY), 2 ** 31);
    assert.deepEqual(c.toObject(), {
      'taskmanager.memory.segment-size': '64kb',
      'taskmanager.memory.network.min': '128mb',
      'taskmanager.memory.network.fraction': '0.25',
      'taskmanager.network.memory.buffers-per-channel': '4',
      'execution.buffer-timeout': '1s',
      'pipeline.max-parallelism': '256',
      'taskmanager.memory.process.size': '2gb',
    });
  });

  it('accepts the special buffer-timeout values 0 and -1', () => {
    const c = new Configuration();
    assert.equal(c.set(BUFFER_TIMEOUT, 0).get(BUFFER_TIMEOUT), 0);
    assert.equal(c.set('execution.buffer-timeout', '-1').get(BUFFER_TIMEOUT), -1);
    assert.equal(c.set('execution.buffer-timeout', -1).get(BUFFER_TIMEOUT), -1);
    assert.equal(c.set('execution.buffer-timeout', '-1 ms').get(BUFFER_TIMEOUT), -1);
  });
});

describe('Configuration errors', () => {
  it('names the nearest known key for a misspelled key', () => {
    assertConfigError(
      () => new Configuration().set('taskmanager.memory.segment-sise', '32kb'),
      'taskmanager.memory.segment-sise',
      "Unknown configuration key 'taskmanager.memory.segment-sise'",
      "did you mean 'taskmanager.memory.segment-size'?",
    );
    assertConfigError(
      () => new Configuration().set('taskmanager.memory.segment_size', '32kb'),
      'taskmanager.memory.segment_size',
      "did you mean 'taskmanager.memory.segment-size'?",
    );
    assertConfigError(
      () => new Configuration().set('execution.buffer.timeout', '10ms'),
      'execution.buffer.timeout',
      "did you mean 'execution.buffer-timeout'?",
    );
    assertConfigError(
      () => new Configuration().set('taskmanager.network.memory.floating-buffers-per-channel', 1),
      'taskmanager.network.memory.floating-buffers-per-channel',
      "did you mean 'taskmanager.network.memory.floating-buffers-per-gate'?",
    );
  });

  it('does not suggest a far-off key', () => {
    assert.throws(() => new Configuration().set('foo', 1), (e: unknown) => {
      assert.ok(e instanceof ConfigurationError);
      assert.equal(e.message, "Unknown configuration key 'foo'.");
      return true;
    });
  });

  it('names key, value and what is accepted for bad values', () => {
    const seg = 'taskmanager.memory.segment-size';
    assertConfigError(() => new Configuration().set(seg, '48kb'), seg,
      'Invalid value "48kb"', `'${seg}'`, 'expected a power of two between 64b and 16mb, e.g. 32kb');
    assertConfigError(() => new Configuration().set(seg, 0), seg, 'Invalid value 0', 'power of two');
    assertConfigError(() => new Configuration().set(seg, '32b'), seg, 'Invalid value "32b"', 'between 64b and 16mb');
    assertConfigError(() => new Configuration().set(seg, '32mb'), seg, 'Invalid value "32mb"', 'between 64b and 16mb');
    assertConfigError(() => new Configuration().set(seg, '32 kilobytes'), seg,
      'Invalid value "32 kilobytes"', "unit 'kilobytes' does not match any of the recognized units");
    assertConfigError(() => new Configuration().set(seg, true), seg, 'Invalid value true', "expected a memory size such as '32kb'");

    const frac = 'taskmanager.memory.network.fraction';
    assertConfigError(() => new Configuration().set(frac, 0), frac, 'Invalid value 0', 'greater than 0 and less than 1');
    assertConfigError(() => new Configuration().set(frac, '1'), frac, 'Invalid value "1"', 'greater than 0 and less than 1');
    assertConfigError(() => new Configuration().set(frac, 'lots'), frac, 'Invalid value "lots"', 'expected a number');

    const bpc = 'taskmanager.network.memory.buffers-per-channel';
    assertConfigError(() => new Configuration().set(bpc, 0), bpc, 'Invalid value 0', 'integer from 1');
    assertConfigError(() => new Configuration().set(bpc, 1.5), bpc, 'Invalid value 1.5', 'expected an integer');
    assertConfigError(() => new Configuration().set(bpc, '2x'), bpc, 'Invalid value "2x"', 'expected an integer');

    const fl = 'taskmanager.network.memory.floating-buffers-per-gate';
    assertConfigError(() => new Configuration().set(fl, -1), fl, 'Invalid value -1', 'integer from 0');
    const mbpc = 'taskmanager.network.memory.max-buffers-per-channel';
    assertConfigError(() => new Configuration().set(mbpc, 0), mbpc, 'Invalid value 0', 'integer from 1');

    const bt = 'execution.buffer-timeout';
    assertConfigError(() => new Configuration().set(bt, '-2'), bt,
      'Invalid value "-2"', '0 (flush after every record) or -1 (flush only when full)');
    assertConfigError(() => new Configuration().set(bt, '-1s'), bt, 'Invalid value "-1s"', 'or -1');
    assertConfigError(() => new Configuration().set(bt, 'soon'), bt, 'Invalid value "soon"', 'does not start with a number');

    const mp = 'pipeline.max-parallelism';
    assertConfigError(() => new Configuration().set(mp, 0), mp, 'Invalid value 0', 'expected -1 (derive from the parallelism) or an integer from 1 to 32768');
    assertConfigError(() => new Configuration().set(mp, 32769), mp, 'Invalid value 32769', 'from 1 to 32768');
    assertConfigError(() => new Configuration().set(mp, -2), mp, 'Invalid value -2');

    const ps = 'taskmanager.memory.process.size';
    assertConfigError(() => new Configuration().set(ps, 0), ps, 'Invalid value 0', 'positive memory size');
  });

  it('names the origin of a bad value', () => {
    assertConfigError(
      () => Configuration.from({ 'taskmanager.memory.segment-size': '3kb' }, { origin: 'strom.yaml' }),
      'taskmanager.memory.segment-size',
      '(from strom.yaml)',
    );
    assertConfigError(
      () => Configuration.from({ 'taskmanager.memory.segment-sice': '3kb' }, { origin: 'environment' }),
      'taskmanager.memory.segment-sice',
      "Unknown configuration key 'taskmanager.memory.segment-sice' (from environment): did you mean",
    );
  });

  it('keeps the previous value when a set() fails', () => {
    const c = new Configuration().set(MEMORY_SEGMENT_SIZE, '4kb');
    assert.throws(() => c.set(MEMORY_SEGMENT_SIZE, '5kb'), ConfigurationError);
    assert.equal(c.get(MEMORY_SEGMENT_SIZE), 4096);
  });
});

describe('Configuration.from / merge', () => {
  it('reads dotted and nested keys', () => {
    const c = Configuration.from({
      'execution.buffer-timeout': '5ms',
      taskmanager: { memory: { 'segment-size': '8kb', network: { min: '1mb', max: '2mb' } } },
    });
    assert.equal(c.get(BUFFER_TIMEOUT), 5);
    assert.equal(c.get(MEMORY_SEGMENT_SIZE), 8192);
    assert.equal(c.get(NETWORK_MEMORY_MIN), MiB);
    assert.equal(c.get(NETWORK_MEMORY_MAX), 2 * MiB);
    assert.deepEqual([...c.keys()].sort(), [
      'execution.buffer-timeout',
      'taskmanager.memory.network.max',
      'taskmanager.memory.network.min',
      'taskmanager.memory.segment-size',
    ]);
  });

  it('merge() lets the later layer win and keeps the rest', () => {
    const file = Configuration.from({ 'execution.buffer-timeout': '5ms', 'taskmanager.memory.segment-size': '8kb' });
    const cli = Configuration.from({ 'execution.buffer-timeout': '0' });
    const merged = file.merge(cli);
    assert.equal(merged.get(BUFFER_TIMEOUT), 0);
    assert.equal(merged.get(MEMORY_SEGMENT_SIZE), 8192);
    assert.equal(file.get(BUFFER_TIMEOUT), 5, 'inputs unchanged');
    const copy = merged.clone().set(BUFFER_TIMEOUT, 7);
    assert.equal(merged.get(BUFFER_TIMEOUT), 0);
    assert.equal(copy.get(BUFFER_TIMEOUT), 7);
  });
});

describe('nearestKey', () => {
  it('computes edit distances', () => {
    assert.equal(levenshtein('', ''), 0);
    assert.equal(levenshtein('kitten', 'sitting'), 3);
    assert.equal(levenshtein('abc', ''), 3);
    assert.equal(levenshtein('flaw', 'lawn'), 2);
  });
  it('finds the closest candidate within the limit', () => {
    assert.equal(nearestKey('pipeline.max-paralelism', ['pipeline.max-parallelism', 'execution.buffer-timeout']), 'pipeline.max-parallelism');
    assert.equal(nearestKey('PIPELINE.MAX_PARALLELISM', ['pipeline.max-parallelism']), 'pipeline.max-parallelism');
    assert.equal(nearestKey('xyz', ['pipeline.max-parallelism']), undefined);
  });
});

describe('Configuration origins', () => {
  it('remembers where each value came from, through merge and unset', () => {
    const a = new Configuration().set(MEMORY_SEGMENT_SIZE, '8kb', 'strom.yaml:2').set(BUFFER_TIMEOUT, 5);
    assert.equal(a.origin(MEMORY_SEGMENT_SIZE), 'strom.yaml:2');
    assert.equal(a.origin(BUFFER_TIMEOUT), 'code');
    assert.equal(a.origin(MAX_PARALLELISM), 'default');
    const b = new Configuration().set(BUFFER_TIMEOUT, '1 s', '-D');
    const merged = a.merge(b);
    assert.equal(merged.origin(BUFFER_TIMEOUT), '-D');
    assert.equal(merged.origin('taskmanager.memory.segment-size'), 'strom.yaml:2');
    assert.equal(a.merge(new Configuration().set(MEMORY_SEGMENT_SIZE, '16kb')).origin(MEMORY_SEGMENT_SIZE), 'code');
    merged.unset(MEMORY_SEGMENT_SIZE);
    assert.equal(merged.origin(MEMORY_SEGMENT_SIZE), 'default');
    assert.equal(Configuration.from({ 'parallelism.default': 2 }, { origin: 'env' }).origin('parallelism.default'), 'env');
  });
});
