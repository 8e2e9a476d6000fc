import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Configuration } from '../../src/config/configuration.js';
import {
  checkNetworkMemoryFor,
  maxNetworkSegments,
  producerPoolSize,
  requiredSegmentsForChannels,
  resolveNetworkMemory,
} from '../../src/config/network-memory-config.js';
import { ConfigurationError, InsufficientNetworkBuffersError } from '../../src/errors.js';
import { NetworkBufferPool } from '../../src/memory/network-buffer-pool.js';
import { loadNativeAddon } from '../../src/native/addon.js';

const MiB = 2 ** 20;

function assertConfigError(fn: () => unknown, key: string, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigurationError, `expected ConfigurationError, got ${String(e)}`);
    assert.equal(e.key, key);
    for (const f of fragments) assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(f)}`);
    return true;
  });
}

describe('resolveNetworkMemory', () => {
  it('defaults to 64mb of 32kb segments', () => {
    assert.deepEqual(resolveNetworkMemory(new Configuration()), {
      segmentSize: 32768,
      numSegments: 2048,
      networkMemoryBytes: 64 * MiB,
      buffersPerChannel: 2,
      floatingBuffersPerGate: 8,
      maxBuffersPerChannel: 10,
    });
  });

  it('lets an explicitly set network.min or network.max pull the other bound along', () => {
    const onlyMin = resolveNetworkMemory(Configuration.from({ 'taskmanager.memory.network.min': '128mb' }));
    assert.equal(onlyMin.networkMemoryBytes, 128 * MiB);
    assert.equal(onlyMin.numSegments, 4096);
    const onlyMax = resolveNetworkMemory(Configuration.from({ 'taskmanager.memory.network.max': '1mb' }));
    assert.equal(onlyMax.networkMemoryBytes, MiB);
  });

  it('without a process size, rejects a network.min and network.max that differ (Flink\'s local execution needs one size)', () => {
    assertConfigError(
      () => resolveNetworkMemory(Configuration.from({ 'taskmanager.memory.network.min': '16mb', 'taskmanager.memory.network.max': '1g' })),
      'taskmanager.memory.network.min',
      "'taskmanager.memory.network.min' (16mb) and 'taskmanager.memory.network.max' (1gb) differ",
      'set both to the same value',
    );
    const equal = Configuration.from({ 'taskmanager.memory.network.min': '16mb', 'taskmanager.memory.network.max': '16mb' });
    assert.equal(resolveNetworkMemory(equal).networkMemoryBytes, 16 * MiB);
  });

  it('with a process size, keeps the bounds independent: min defaults to 64mb, max to unbounded (Flink 2)', () => {
    // Only max set: min stays 64mb (it is not pulled along as in local execution).
    const onlyMax = Configuration.from({ 'taskmanager.memory.network.max': '128mb', 'taskmanager.memory.process.size': '256mb' });
    assert.equal(resolveNetworkMemory(onlyMax).networkMemoryBytes, 64 * MiB);
    const capped = Configuration.from({ 'taskmanager.memory.network.max': '128mb', 'taskmanager.memory.process.size': '4g' });
    assert.equal(resolveNetworkMemory(capped).networkMemoryBytes, 128 * MiB);
    // No max: 0.1 x 4g, unclamped.
    const unbounded = Configuration.from({ 'taskmanager.memory.process.size': '4g' });
    assert.equal(resolveNetworkMemory(unbounded).numSegments, Math.floor(Math.floor(0.1 * 4 * 1024 * MiB) / 32768));
  });

  it('clamps fraction x process.size to [min, max]', () => {
    const base = { 'taskmanager.memory.network.min': '16mb', 'taskmanager.memory.network.max': '256mb' };
    const mid = Configuration.from({ ...base, 'taskmanager.memory.process.size': '1g' });
    // 0.1 x 1 GiB = 107374182.4 bytes -> floor -> rounded down to 3276 segments of 32 KiB.
    assert.equal(resolveNetworkMemory(mid).numSegments, 3276);
    assert.equal(resolveNetworkMemory(mid).networkMemoryBytes, 3276 * 32768);
    const low = Configuration.from({ ...base, 'taskmanager.memory.process.size': '64mb' });
    assert.equal(resolveNetworkMemory(low).networkMemoryBytes, 16 * MiB);
    const high = Configuration.from({ ...base, 'taskmanager.memory.process.size': '10g' });
    assert.equal(resolveNetworkMemory(high).networkMemoryBytes, 256 * MiB);
    const frac = Configuration.from({ ...base, 'taskmanager.memory.process.size': '1g', 'taskmanager.memory.network.fraction': 0.125 });
    assert.equal(resolveNetworkMemory(frac).networkMemoryBytes, 128 * MiB);
  });

  it('rounds a size that is not a multiple of the segment size down', () => {
    const c = Configuration.from({ 'taskmanager.memory.network.min': '100000', 'taskmanager.memory.segment-size': '4kb' });
    const r = resolveNetworkMemory(c);
    assert.equal(r.numSegments, 24);
    assert.equal(r.networkMemoryBytes, 24 * 4096);
  });

  it('accepts the smallest segment size strom allows', () => {
    const r = resolveNetworkMemory(Configuration.from({ 'taskmanager.memory.segment-size': 64, 'taskmanager.memory.network.min': '1kb' }));
    assert.equal(r.numSegments, 16);
  });

  it('rejects network memory smaller than one segment, naming the keys', () => {
    assertConfigError(
      () => resolveNetworkMemory(Configuration.from({ 'taskmanager.memory.network.min': '16kb' })),
      'taskmanager.memory.network.min',
      "network memory of 16kb (from 'taskmanager.memory.network.min') is smaller than one segment",
      "'taskmanager.memory.segment-size' = 32kb",
      "increase 'taskmanager.memory.network.min' / 'taskmanager.memory.network.max'",
    );
  });

  it('rejects network.min > network.max', () => {
    assertConfigError(
      () => resolveNetworkMemory(Configuration.from({
        'taskmanager.memory.network.min': '128mb',
        'taskmanager.memory.network.max': '64mb',
        'taskmanager.memory.process.size': '1g',
      })),
      'taskmanager.memory.network.min',
      "'taskmanager.memory.network.min' (128mb) must not be larger than 'taskmanager.memory.network.max' (64mb)",
    );
  });

  it('rejects network memory beyond what the layout can address, naming the key, the value and the range', () => {
    for (const value of ['2gb', '10tb']) {
      assertConfigError(
        () => resolveNetworkMemory(Configuration.from({ 'taskmanager.memory.network.max': value })),
        'taskmanager.memory.network.max',
        `network memory of ${value} (from 'taskmanager.memory.network.max') is more than strom can allocate`,
        `Allowed: 32kb (one segment) to ${Math.floor(maxNetworkSegments(32768) / 32)}mb (at most ${maxNetworkSegments(32768)} segments of 32kb)`,
      );
    }
    assertConfigError(
      () => resolveNetworkMemory(Configuration.from({ 'taskmanager.memory.process.size': '100g' })),
      'taskmanager.memory.process.size',
      "(from 'taskmanager.memory.network.fraction' x 'taskmanager.memory.process.size') is more than strom can allocate",
    );
  });

  it('the ceiling fits the real native layout, within the slack it keeps for bookkeeping', () => {
    const addon = loadNativeAddon();
    for (let segmentSize = 64; segmentSize <= 16 * MiB; segmentSize *= 2) {
      const max = maxNetworkSegments(segmentSize);
      const layout = (numSegments: number) => addon.networkMemoryLayout({ segmentSize, numSegments, maxLocalPools: 256, numSubpartitionCounters: 4096 });
      assert.doesNotThrow(() => layout(max), `segment size ${segmentSize}`);
      // 64 KiB of slack: a few more segments would still fit, but not 64 KiB worth more.
      assert.throws(() => layout(max + Math.ceil(65536 / (segmentSize + 16)) + 1), RangeError, `segment size ${segmentSize}`);
    }
    // And the ceiling really allocates (2 GiB of address space; the pages stay untouched).
    const pool = NetworkBufferPool.create({ segmentSize: 32768, numSegments: maxNetworkSegments(32768) });
    assert.equal(pool.numSegments, maxNetworkSegments(32768));
  });

  it('rejects max-buffers-per-channel < buffers-per-channel', () => {
    assertConfigError(
      () => resolveNetworkMemory(Configuration.from({
        'taskmanager.network.memory.buffers-per-channel': 4,
        'taskmanager.network.memory.max-buffers-per-channel': 3,
      })),
      'taskmanager.network.memory.max-buffers-per-channel',
      "'taskmanager.network.memory.max-buffers-per-channel' (3) must be at least 'taskmanager.network.memory.buffers-per-channel' (4)",
    );
  });

  it('rejects a segment size of 0 or a non-power of two when set, naming the key', () => {
    assertConfigError(() => Configuration.from({ 'taskmanager.memory.segment-size': 0 }), 'taskmanager.memory.segment-size', 'power of two');
    assertConfigError(() => Configuration.from({ 'taskmanager.memory.segment-size': '33kb' }), 'taskmanager.memory.segment-size', 'power of two');
  });
});

describe('producer pool requirements', () => {
  const network = resolveNetworkMemory(new Configuration());

  it('requires n x buffers-per-channel + min(1, floating) and allows up to + floating', () => {
    assert.deepEqual(producerPoolSize(4, network), { min: 9, max: 16 });
    assert.deepEqual(producerPoolSize(1, { buffersPerChannel: 1, floatingBuffersPerGate: 0 }), { min: 1, max: 1 });
    assert.equal(requiredSegmentsForChannels(4, network), 9);
    assert.equal(requiredSegmentsForChannels([4, 4, 2], network), 9 + 9 + 5);
    assert.throws(() => producerPoolSize(0, network), RangeError);
  });

  it('passes when the pools fit and throws Flink\'s message when they do not', () => {
    const small = resolveNetworkMemory(Configuration.from({ 'taskmanager.memory.network.min': '320kb' })); // 10 segments
    assert.equal(small.numSegments, 10);
    checkNetworkMemoryFor(4, small); // 9 <= 10
    assert.throws(() => checkNetworkMemoryFor([4, 1], small), (e: unknown) => {
      assert.ok(e instanceof InsufficientNetworkBuffersError);
      assert.equal(e.code, 'ERR_INSUFFICIENT_NETWORK_BUFFERS');
      assert.equal(e.required, 12);
      assert.equal(e.available, 10);
      assert.match(e.message, /^Insufficient number of network buffers: required 12, but only 10 available\./);
      assert.match(e.message, /currently set to 10 of 32768 bytes each/);
      assert.match(e.message, /'taskmanager\.memory\.network\.min' and 'taskmanager\.memory\.network\.max' \(or 'taskmanager\.memory\.network\.fraction' when 'taskmanager\.memory\.process\.size' is set\)/);
      return true;
    });
    assert.throws(() => checkNetworkMemoryFor(4, small, 2), { name: 'InsufficientNetworkBuffersError', message: /required 9, but only 8 available/ });
  });
});
