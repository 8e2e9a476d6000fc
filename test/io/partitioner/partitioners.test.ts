import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignKeyToParallelOperator } from '../../../src/io/key-group-assignment.js';
import { BroadcastPartitioner } from '../../../src/io/partitioner/broadcast-partitioner.js';
import { ForwardPartitioner } from '../../../src/io/partitioner/forward-partitioner.js';
import { GlobalPartitioner } from '../../../src/io/partitioner/global-partitioner.js';
import { KeyGroupStreamPartitioner } from '../../../src/io/partitioner/key-group-stream-partitioner.js';
import { seededRandom } from '../../../src/io/partitioner/random-source.js';
import { RebalancePartitioner } from '../../../src/io/partitioner/rebalance-partitioner.js';
import { RescalePartitioner } from '../../../src/io/partitioner/rescale-partitioner.js';
import { ShufflePartitioner } from '../../../src/io/partitioner/shuffle-partitioner.js';
import type { StreamPartitioner } from '../../../src/io/partitioner/stream-partitioner.js';
import { StromError } from '../../../src/errors.js';

function select<T>(p: StreamPartitioner<T>, records: readonly T[]): number[] {
  return records.map((r) => p.selectChannel(r));
}

describe('partitioners', () => {
  it('have Flink names and flags', () => {
    const table: Array<[StreamPartitioner<unknown>, string, boolean, boolean]> = [
      [new ForwardPartitioner(), 'FORWARD', false, true],
      [new RebalancePartitioner(), 'REBALANCE', false, false],
      [new RescalePartitioner(), 'RESCALE', false, true],
      [new ShufflePartitioner(), 'SHUFFLE', false, false],
      [new BroadcastPartitioner(), 'BROADCAST', true, false],
      [new GlobalPartitioner(), 'GLOBAL', false, false],
      [new KeyGroupStreamPartitioner((r) => r, 128), 'HASH', false, false],
    ];
    for (const [p, name, broadcast, pointwise] of table) {
      assert.equal(p.name, name);
      assert.equal(p.isBroadcast(), broadcast, name);
      assert.equal(p.isPointwise(), pointwise, name);
      const copy = p.copy();
      assert.notEqual(copy, p);
      assert.equal(copy.name, name);
      assert.throws(() => p.setup(0), { name: 'RangeError', message: /numberOfChannels 0: expected a positive integer/ });
      assert.throws(() => p.setup(1.5), RangeError);
    }
  });

  it('forward and global always choose channel 0', () => {
    const f = new ForwardPartitioner<number>();
    f.setup(1);
    assert.deepEqual(select(f, [1, 2, 3]), [0, 0, 0]);
    const g = new GlobalPartitioner<number>();
    g.setup(5);
    assert.deepEqual(select(g, [1, 2, 3]), [0, 0, 0]);
  });

  it('broadcast refuses to select a channel', () => {
    const b = new BroadcastPartitioner<number>();
    b.setup(3);
    assert.throws(() => b.selectChannel(1), (e: unknown) => {
      assert.ok(e instanceof StromError);
      assert.equal(e.code, 'ERR_UNSUPPORTED_OPERATION');
      assert.match(e.message, /written to all channels/);
      return true;
    });
  });

  it('rescale round-robins from channel 0 and restarts on setup', () => {
    const r = new RescalePartitioner<number>();
    r.setup(3);
    assert.deepEqual(select(r, [0, 0, 0, 0, 0, 0, 0]), [0, 1, 2, 0, 1, 2, 0]);
    r.setup(2);
    assert.deepEqual(select(r, [0, 0, 0]), [0, 1, 0]);
    r.setup(1);
    assert.deepEqual(select(r, [0, 0]), [0, 0]);
  });

  it('rebalance round-robins starting after a random channel (seeded)', () => {
    const starts = new Set<number>();
    const random = seededRandom(42);
    const base = new RebalancePartitioner<number>(random);
    for (let i = 0; i < 20; i++) {
      const p = base.copy();
      p.setup(4);
      const seq = select(p, new Array(9).fill(0));
      const first = seq[0]!;
      starts.add(first);
      assert.deepEqual(seq, seq.map((_, j) => (first + j) % 4), 'round robin order');
    }
    assert.ok(starts.size > 1, 'copies sharing a random source start at different channels');

    // Deterministic for the same seed; first channel = (floor(r * n) + 1) % n, as Flink.
    const a = new RebalancePartitioner<number>(seededRandom(7));
    const b = new RebalancePartitioner<number>(seededRandom(7));
    a.setup(5);
    b.setup(5);
    assert.deepEqual(select(a, new Array(12).fill(0)), select(b, new Array(12).fill(0)));
    const draw = Math.floor(seededRandom(7)() * 5);
    const c = new RebalancePartitioner<number>(seededRandom(7));
    c.setup(5);
    assert.equal(c.selectChannel(0), (draw + 1) % 5);

    const fixed = new RebalancePartitioner<number>(() => 0.99);
    fixed.setup(3);
    assert.deepEqual(select(fixed, [0, 0, 0, 0]), [0, 1, 2, 0]);
  });

  it('shuffle is deterministic per seed and roughly uniform', () => {
    const n = 7;
    const records = 70_000;
    const p = new ShufflePartitioner<number>(seededRandom(1234));
    p.setup(n);
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < records; i++) {
      const ch = p.selectChannel(i);
      assert.ok(ch >= 0 && ch < n);
      counts[ch]!++;
    }
    // Chi-squared with 6 degrees of freedom: 22.46 is the 0.999 quantile.
    const expected = records / n;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    assert.ok(chi2 < 22.46, `chi2 ${chi2}, counts ${counts}`);

    const q1 = new ShufflePartitioner<number>(seededRandom(99));
    const q2 = new ShufflePartitioner<number>(seededRandom(99));
    q1.setup(3);
    q2.setup(3);
    assert.deepEqual(select(q1, new Array(50).fill(0)), select(q2, new Array(50).fill(0)));
  });

  it('key-group partitioning routes like assignKeyToParallelOperator', () => {
    const words = ['to', 'be', 'or', 'not', 'hello', 'world', 'flink', '\u{1F600}', ''];
    for (const maxP of [128, 256, 32768]) {
      for (const n of [1, 2, 3, 4, 7, 128]) {
        const p = new KeyGroupStreamPartitioner<{ word: string; count: number }>((r) => r.word, maxP);
        p.setup(n);
        for (const word of words) {
          assert.equal(p.selectChannel({ word, count: 1 }), assignKeyToParallelOperator(word, maxP, n));
        }
        for (let i = -1000; i < 1000; i += 7) {
          const q = new KeyGroupStreamPartitioner<[number, string]>((r) => r[0], maxP);
          q.setup(n);
          assert.equal(q.selectChannel([i, 'x']), assignKeyToParallelOperator(i, maxP, n));
        }
      }
    }
    // Tuple keys.
    const t = new KeyGroupStreamPartitioner<[string, number, number]>((r) => [r[0], r[1]], 128);
    t.setup(4);
    assert.equal(t.selectChannel(['a', 1, 99]), assignKeyToParallelOperator(['a', 1], 128, 4));
  });

  it('key-group partitioning validates its arguments', () => {
    assert.throws(() => new KeyGroupStreamPartitioner((r) => r, 0), { name: 'RangeError', message: /maxParallelism 0/ });
    assert.throws(() => new KeyGroupStreamPartitioner((r) => r, 40000), RangeError);
    assert.throws(() => new KeyGroupStreamPartitioner(42 as never, 128), TypeError);
    const p = new KeyGroupStreamPartitioner<{ id?: string }>((r) => r.id, 128);
    assert.throws(() => p.setup(129), { name: 'RangeError', message: /more channels than maxParallelism \(128\); raise 'pipeline.max-parallelism'/ });
    p.setup(2);
    assert.throws(() => p.selectChannel({}), { name: 'TypeError', message: /does the key selector read a field that exists/ });
  });
});
