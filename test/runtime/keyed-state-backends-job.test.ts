/**
 * `state.backend.type` in real jobs (worker threads, the real addon): a KeyedProcessFunction
 * with declared ValueStates gives the same results on every backend; the native backend's bytes
 * are charged to the TaskManager's managed memory (seen in the metrics of the running job) and
 * the heap's are not; state beyond `taskmanager.memory.managed.size` fails the job with
 * ManagedMemoryExceededError naming that key.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { executeAndCollect, ManagedMemoryExceededError, submit, type JobMetricsSnapshot } from '../../src/index.js';
import job, { amounts, type Amount } from '../fixtures/jobs/keyed-state-backends.js';

const N = 3000;
const KEYS = 40;

/** The reference: per record, the running sum of its key. */
function expected(): string[] {
  const sums = new Map<string, number>();
  return amounts(N, KEYS)
    .map(([k, v]) => {
      const s = (sums.get(k) ?? 0) + v;
      sums.set(k, s);
      return `${k}=${s}`;
    })
    .sort();
}

async function collect(config: Record<string, unknown>, params: Record<string, string> = {}): Promise<string[]> {
  const records: string[] = [];
  const collected = executeAndCollect<Amount>(job, { config, params: { n: String(N), keys: String(KEYS), ...params } });
  for await (const [k, s] of collected) records.push(`${k}=${s}`);
  await collected.result;
  return records.sort();
}

describe('state.backend.type in a job', () => {
  for (const type of ['hashmap', 'native', 'auto']) {
    for (const parallelism of [1, 3]) {
      it(`'${type}' gives every running sum at parallelism ${parallelism}`, async () => {
        assert.deepEqual(await collect({ 'state.backend.type': type, 'parallelism.default': parallelism }), expected());
      });
    }
  }

  /** Runs the held job, returns the first metrics snapshot whose keyed task holds every key, then lets the job end. */
  async function heldSnapshot(type: string): Promise<{ running: JobMetricsSnapshot; final: JobMetricsSnapshot }> {
    const dir = mkdtempSync(join(tmpdir(), 'strom-held-'));
    const hold = join(dir, 'release');
    try {
      const client = submit(job, { config: { 'state.backend.type': type, 'parallelism.default': 1 }, params: { n: String(N), keys: String(KEYS), hold } });
      let running: JobMetricsSnapshot | undefined;
      for await (const snapshot of client.snapshots(20)) {
        const keyed = snapshot.tasks.find((t) => t.name.startsWith('Running Sum'));
        // Two states (sum; note stays empty) per key: the keyed task holds KEYS entries once every record went through.
        if (running === undefined && keyed !== undefined && keyed.stateKeys === KEYS) {
          running = snapshot;
          writeFileSync(hold, '');
        }
      }
      const result = await client.result;
      assert.ok(running, 'a snapshot showed every key in the keyed state before the job ended');
      return { running, final: result.metrics! };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("'native' keeps the state in managed memory: the running job's managed memory holds its bytes, and gives them back at the end", async () => {
    const { running, final } = await heldSnapshot('native');
    const keyed = running.tasks.find((t) => t.name.startsWith('Running Sum'))!;
    assert.ok(keyed.stateBytes > 0);
    assert.ok(running.taskManager.managedMemoryUsed >= keyed.stateBytes, `managed memory used ${running.taskManager.managedMemoryUsed}, state ${keyed.stateBytes}`);
    assert.equal(final.taskManager.managedMemoryUsed, 0);
  });

  it("'hashmap' keeps the state on the JS heap: no managed memory while it holds every key", async () => {
    const { running } = await heldSnapshot('hashmap');
    const keyed = running.tasks.find((t) => t.name.startsWith('Running Sum'))!;
    assert.ok(keyed.stateBytes > 0);
    assert.equal(running.taskManager.managedMemoryUsed, 0);
  });

  it('native state beyond taskmanager.memory.managed.size fails the job with ManagedMemoryExceededError naming the key', async () => {
    await assert.rejects(
      collect({ 'state.backend.type': 'native', 'parallelism.default': 1, 'taskmanager.memory.managed.size': '1mb' }, { note: '200' }),
      (error: unknown) => {
        // The job's error, caused by processElement's (UserFunctionError), caused by the state access.
        let cause = error;
        while (cause instanceof Error && !(cause instanceof ManagedMemoryExceededError)) cause = cause.cause;
        assert.ok(cause instanceof ManagedMemoryExceededError, `got ${String(error)}`);
        assert.match(cause.message, /taskmanager\.memory\.managed\.size/);
        assert.match(cause.message, /Running Sum/);
        return true;
      },
    );
  });

  it("'hashmap' is not bound by taskmanager.memory.managed.size", async () => {
    const records = await collect({ 'state.backend.type': 'hashmap', 'parallelism.default': 1, 'taskmanager.memory.managed.size': '1mb' }, { note: '200' });
    assert.equal(records.length, N);
  });
});
