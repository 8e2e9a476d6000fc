/**
 * Deadlock freedom of the mailbox runtime (argued in slot-scheduler.ts): jobs whose slots hold
 * upstream and downstream subtasks, exchange records all-to-all across slots, and get as few
 * network segments as strom allows (one guaranteed segment per channel, few or no floating ones,
 * segments smaller than many records) must finish with exactly the right results, for many
 * random configurations. Real worker threads and the real addon; a run that hangs fails by the
 * test's timeout, never passes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executeAndCollect } from '../../../src/index.js';
import shuffleCycle, { shuffleTotals } from '../../fixtures/jobs/shuffle-cycle.js';
import { prng } from '../../support/prng.js';

/** Seeds run by default; STROM_MAILBOX_SEEDS raises it for a longer soak. */
const SEEDS = Number(process.env.STROM_MAILBOX_SEEDS ?? 12);

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}

describe('slots that wait on each other never deadlock', () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const random = prng(seed);
    const p = [pick(random, [1, 2, 3]), pick(random, [1, 2, 3]), pick(random, [1, 2, 3])] as const;
    const mode = pick(random, ['STREAMING', 'BATCH'] as const);
    const params = {
      records: String(pick(random, [300, 1000, 3000])),
      fanOut: String(pick(random, [1, 2, 4])),
      keys: String(pick(random, [7, 50, 400])),
      pad: String(pick(random, [60, 300, 700])),
      p1: String(p[0]),
      p2: String(p[1]),
      p3: String(p[2]),
    };
    const config = {
      'execution.runtime-mode': mode,
      'parallelism.default': p[2],
      'taskmanager.numberOfTaskSlots': Math.max(...p),
      'taskmanager.memory.segment-size': pick(random, ['64b', '128b', '256b']),
      'taskmanager.memory.network.min': '2mb',
      'taskmanager.memory.network.max': '2mb',
      'taskmanager.network.memory.buffers-per-channel': 1,
      'taskmanager.network.memory.floating-buffers-per-gate': pick(random, [0, 1, 2]),
      'taskmanager.network.memory.max-buffers-per-channel': pick(random, [1, 2]),
      'execution.buffer-timeout': pick(random, ['0ms', '1ms', '-1ms']),
    };
    it(`seed ${seed}: ${JSON.stringify({ params, config })}`, { timeout: 120_000 }, async () => {
      const job = executeAndCollect<[string, number]>(shuffleCycle, { params, config });
      const last = new Map<string, number>();
      let received = 0;
      for await (const [key, sum] of job) {
        received++;
        // STREAMING emits a running sum per input record (rebalanced over the Relay subtasks,
        // so not in order here); the greatest is the total.
        last.set(key, Math.max(sum, last.get(key) ?? 0));
      }
      const result = await job.result;
      const expected = shuffleTotals(Number(params.records), Number(params.fanOut), Number(params.keys), Number(params.pad));
      assert.deepEqual(new Map([...last].sort()), new Map([...expected].sort()));
      const inputs = [...expected.values()].reduce((a, b) => a + b, 0);
      assert.equal(received, mode === 'BATCH' ? expected.size : inputs);
      assert.equal(result.networkSegments.availableAtEnd, result.networkSegments.total);
    });
  }
});
