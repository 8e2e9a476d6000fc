/**
 * The native NetworkBufferPool's accounting: concurrent request/recycle from several real worker
 * threads over one SharedArrayBuffer, Flink's insufficient-buffers error, argument checks,
 * double recycles and forced destroys. Runs against $STROM_ADDON_PATH when set (the sanitizer
 * build of `npm run test:native`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';

import { InsufficientNetworkBuffersError, StromError, errors } from '../../src/errors.js';
import { HeaderWord, RequestStatus, networkMemoryWords } from '../../src/memory/network-memory-layout.js';
import { loadNativeAddon, type NetworkMemoryOptions } from '../../src/native/addon.js';
import type { ConsumerTask, ProducerTask, Result } from '../fixtures/network-buffer-pool-accounting-worker.js';

const addon = loadNativeAddon();
/** Grants per producer; STROM_ACCOUNTING_GRANTS raises it for longer soak runs. */
const GRANTS = Number(process.env.STROM_ACCOUNTING_GRANTS ?? 20_000);

function format(options: NetworkMemoryOptions): Uint8Array {
  const { byteLength } = addon.networkMemoryLayout(options);
  const view = new Uint8Array(new SharedArrayBuffer(byteLength));
  addon.formatNetworkMemory(view, options);
  return view;
}

function start(task: ProducerTask | ConsumerTask): Promise<Result> {
  const worker = new Worker(new URL('../fixtures/network-buffer-pool-accounting-worker.js', import.meta.url), {
    workerData: task,
    transferList: task.ports,
  });
  return new Promise<Result>((resolve, reject) => {
    let result: Result | undefined;
    worker.once('message', (message: Result) => (result = message));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result && code === 0) resolve(result);
      else reject(new Error(`${task.role} worker exited with code ${code} without a result`));
    });
  });
}

test('concurrent request/recycle from worker threads returns every counter to its start value', async () => {
  const view = format({ segmentSize: 256, numSegments: 24, maxLocalPools: 4, numSubpartitionCounters: 16 });
  const pool = new addon.NetworkBufferPool(view);
  // min 4 x 2 + 1 = 9 and 2 x 1 + 1 = 3: 12 spare shared 7 : 5 -> floating 8 and 6 (the maxima).
  // Together the pools may hold 16 + 8 = 24 = every segment, so all three denials happen.
  const shared = pool.createLocalPool(4, 2, 8, 5);
  const single = pool.createLocalPool(2, 1, 6, 4);
  assert.equal(pool.localPoolStats(shared).floatingSize, 8);
  assert.equal(pool.localPoolStats(single).floatingSize, 6);
  const before = pool.stats();

  const producers = [
    { poolId: shared, numSubpartitions: 4 },
    { poolId: shared, numSubpartitions: 4 }, // two producers on one pool
    { poolId: single, numSubpartitions: 2 },
  ];
  const consumers = 2;
  const channels = producers.map(() => Array.from({ length: consumers }, () => new MessageChannel()));
  const consumerPorts: MessagePort[][] = Array.from({ length: consumers }, (_, c) => channels.map((row) => row[c]!.port2));
  const runs = [
    ...consumerPorts.map((ports) => start({ role: 'consumer', view, ports })),
    ...producers.map((p, i) =>
      start({
        role: 'producer',
        view,
        producerId: i + 1,
        poolId: p.poolId,
        numSubpartitions: p.numSubpartitions,
        grants: GRANTS,
        seed: 42 + i,
        selfRecycle: 0.25,
        ports: channels[i]!.map((ch) => ch.port1),
      }),
    ),
  ];
  const results = await Promise.all(runs);
  const produced = results.slice(consumers);
  const granted = produced.reduce((sum, r) => sum + r.granted, 0);
  const denied = produced.reduce((sum, r) => sum + r.denied.reduce((a, b) => a + b, 0), 0);
  const recycled = results.reduce((sum, r) => sum + r.recycled, 0);
  assert.equal(granted, producers.length * GRANTS);
  assert.equal(recycled, granted, 'every granted segment was recycled exactly once');

  const after = pool.stats();
  assert.equal(after.availableSegments, before.availableSegments);
  assert.equal(after.availableSegments, after.totalSegments);
  assert.equal(after.usedSegments, 0);
  assert.ok(after.highWaterUsed > 0 && after.highWaterUsed <= after.totalSegments, `highWaterUsed ${after.highWaterUsed}`);
  assert.equal(after.reservedMinimum, before.reservedMinimum);
  const words = networkMemoryWords(view);
  assert.equal(Atomics.load(words, HeaderWord.AVAILABLE_SEGMENTS), after.totalSegments);
  assert.equal(Atomics.load(words, HeaderWord.WAITERS), 0);
  assert.equal(Atomics.load(words, HeaderWord.RECYCLE_EPOCH), recycled, 'one epoch bump per recycle');

  let poolGranted = 0;
  let poolDenied = 0;
  for (const id of [shared, single]) {
    const s = pool.localPoolStats(id);
    assert.equal(s.held, 0);
    assert.equal(s.floatingInUse, 0);
    assert.deepEqual(s.heldPerSubpartition, new Array(s.numSubpartitions).fill(0));
    assert.ok(s.highWaterHeld <= s.maxSegments, `highWaterHeld ${s.highWaterHeld} <= ${s.maxSegments}`);
    poolGranted += s.requestsGranted;
    poolDenied += s.requestsDenied;
  }
  assert.equal(poolGranted, granted);
  assert.equal(poolDenied, denied);
  assert.equal(pool.destroyLocalPool(shared), 0);
  assert.equal(pool.destroyLocalPool(single), 0);
  assert.equal(pool.stats().reservedMinimum, 0);
});

test("too small network memory throws Flink's InsufficientNetworkBuffersError", () => {
  const view = format({ segmentSize: 32768, numSegments: 8, maxLocalPools: 4, numSubpartitionCounters: 64 });
  const pool = new addon.NetworkBufferPool(view);
  assert.throws(
    () => pool.createLocalPool(11, 1, 8, 10), // 11 x 1 + 1 = 12 > 8
    (error: unknown) => {
      assert.ok(error instanceof InsufficientNetworkBuffersError);
      assert.ok(error instanceof StromError);
      assert.equal(error.code, 'ERR_INSUFFICIENT_NETWORK_BUFFERS');
      assert.equal(error.name, 'InsufficientNetworkBuffersError');
      assert.equal(error.required, 12);
      assert.equal(error.available, 8);
      // The same text as the TS pre-check (errors.insufficientNetworkBuffers), so either path reads alike.
      assert.equal(error.message, errors.insufficientNetworkBuffers(12, 8, 8, 32768).message);
      assert.match(error.message, /^Insufficient number of network buffers: required 12, but only 8 available\./);
      return true;
    },
  );
  assert.equal(pool.stats().reservedMinimum, 0);
  assert.equal(pool.stats().numLocalPools, 0);
  const first = pool.createLocalPool(2, 2, 8, 10); // min 5
  // 5 of 8 reserved: a minimum of 2 x 2 + 0 = 4 no longer fits in 3.
  assert.throws(() => pool.createLocalPool(2, 2, 0, 10), (e: unknown) => e instanceof InsufficientNetworkBuffersError && e.required === 4 && e.available === 3);
  pool.destroyLocalPool(first);
});

test('bad arguments throw TypeError or RangeError naming the argument', () => {
  const options = { segmentSize: 1024, numSegments: 8, maxLocalPools: 2, numSubpartitionCounters: 8 };
  const bad = (patch: Partial<NetworkMemoryOptions>) => ({ ...options, ...patch });
  assert.throws(() => addon.networkMemoryLayout(bad({ segmentSize: 0 })), { name: 'RangeError', message: /segmentSize.*got 0/ });
  assert.throws(() => addon.networkMemoryLayout(bad({ segmentSize: 1000 })), { name: 'RangeError', message: /segmentSize.*1000/ });
  assert.throws(() => addon.networkMemoryLayout(bad({ segmentSize: 32 })), { name: 'RangeError', message: /segmentSize/ });
  assert.throws(() => addon.networkMemoryLayout(bad({ numSegments: 0 })), { name: 'RangeError', message: /numSegments.*got 0/ });
  assert.throws(() => addon.networkMemoryLayout(bad({ numSegments: 1.5 })), { name: 'RangeError', message: /numSegments/ });
  assert.throws(() => addon.networkMemoryLayout(bad({ segmentSize: 32768, numSegments: 65536 })), { name: 'RangeError', message: /2\^31/ });
  assert.throws(() => addon.networkMemoryLayout(bad({ numSegments: '8' as unknown as number })), { name: 'TypeError', message: /numSegments/ });
  assert.throws(() => addon.networkMemoryLayout(undefined as unknown as NetworkMemoryOptions), { name: 'TypeError', message: /options/ });

  const { byteLength } = addon.networkMemoryLayout(options);
  assert.throws(() => addon.formatNetworkMemory(new Uint8Array(new SharedArrayBuffer(byteLength - 1)), options), {
    name: 'RangeError',
    message: /too small/,
  });
  assert.throws(() => addon.formatNetworkMemory(new Uint8Array(byteLength), options), { name: 'TypeError', message: /SharedArrayBuffer/ });
  assert.throws(() => addon.formatNetworkMemory(new Uint8Array(new SharedArrayBuffer(byteLength + 4), 4), options), {
    name: 'RangeError',
    message: /8-byte/,
  });
  assert.throws(() => new addon.NetworkBufferPool({} as Uint8Array), { name: 'TypeError', message: /view/ });
  assert.throws(() => new addon.NetworkBufferPool(new Int32Array(new SharedArrayBuffer(byteLength)) as unknown as Uint8Array), {
    name: 'TypeError',
  });
  const unformatted = new Uint8Array(new SharedArrayBuffer(byteLength));
  assert.throws(() => new addon.NetworkBufferPool(unformatted), { name: 'RangeError', message: /not formatted/ });

  const view = format(options);
  const words = networkMemoryWords(view);
  Atomics.store(words, HeaderWord.VERSION, 2);
  assert.throws(() => new addon.NetworkBufferPool(view), { name: 'RangeError', message: /version 2/ });
  Atomics.store(words, HeaderWord.VERSION, 1);
  assert.throws(() => new addon.NetworkBufferPool(view.subarray(0, byteLength - 1)), { name: 'RangeError', message: /too small/ });

  const pool = new addon.NetworkBufferPool(view);
  assert.throws(() => pool.createLocalPool(0, 2, 8, 10), { name: 'RangeError', message: /numSubpartitions.*got 0/ });
  assert.throws(() => pool.createLocalPool(1, 3, 8, 2), { name: 'RangeError', message: /maxPerSubpartition 2/ });
  assert.throws(() => pool.createLocalPool(1, 2, -1, 10), { name: 'RangeError', message: /maxFloating/ });
  assert.throws(() => pool.createLocalPool(1, 2, 8, '10' as unknown as number), { name: 'TypeError', message: /maxPerSubpartition/ });
  const id = pool.createLocalPool(2, 1, 2, 3);
  assert.throws(() => pool.requestSegment('0' as unknown as number, 0), { name: 'TypeError', message: /poolId/ });
  assert.throws(() => pool.requestSegment(id, 0.5), { name: 'RangeError', message: /subpartition/ });
  assert.throws(() => pool.requestSegment(id + 1, 0), { name: 'RangeError', message: new RegExp(`poolId ${id + 1}`) });
  assert.throws(() => pool.requestSegment(-1, 0), { name: 'RangeError', message: /poolId -1/ });
  assert.throws(() => pool.requestSegment(id, 2), { name: 'RangeError', message: /subpartition 2 is out of range/ });
  assert.throws(() => pool.requestSegment(id, 2 ** 31), { name: 'RangeError', message: /subpartition/ });
  assert.throws(() => pool.recycleSegment(8), { name: 'RangeError', message: /segment 8 is out of range/ });
  assert.throws(() => pool.recycleSegment(-1), { name: 'RangeError', message: /segment -1/ });
  assert.throws(() => pool.recycleSegment(Number.NaN), { name: 'RangeError', message: /index/ });
  assert.throws(() => pool.destroyLocalPool(id, 'yes' as unknown as boolean), { name: 'TypeError', message: /force/ });
  assert.throws(() => pool.localPoolStats(5), { name: 'RangeError', message: /poolId 5/ });
  assert.equal(pool.destroyLocalPool(id), 0);
});

test('caps, floating quota and double recycle', () => {
  const view = format({ segmentSize: 64, numSegments: 16, maxLocalPools: 2, numSubpartitionCounters: 8 });
  const pool = new addon.NetworkBufferPool(view);
  const id = pool.createLocalPool(2, 1, 2, 2); // per subpartition 1 exclusive, cap 2; 2 floating
  const a = [pool.requestSegment(id, 0), pool.requestSegment(id, 0)];
  assert.equal(pool.requestSegment(id, 0), RequestStatus.SUBPARTITION_CAP);
  const b = [pool.requestSegment(id, 1), pool.requestSegment(id, 1)];
  assert.equal(pool.requestSegment(id, 1), RequestStatus.SUBPARTITION_CAP);
  assert.equal(pool.localPoolStats(id).floatingInUse, 2);
  pool.recycleSegment(b[1]!);
  const c = pool.requestSegment(id, 1);
  assert.ok(c >= 0);
  const held: number[] = [...a, b[0]!, c];
  assert.equal(new Set(held).size, 4);
  for (const index of held) pool.recycleSegment(index);
  const before = pool.stats();
  assert.throws(() => pool.recycleSegment(held[0]!), { name: 'RangeError', message: new RegExp(`segment ${held[0]} is not in use`) });
  assert.deepEqual(pool.stats(), before, 'a double recycle changes nothing');
  assert.equal(pool.localPoolStats(id).held, 0);
  assert.equal(pool.localPoolStats(id).requestsDenied, 2);
  pool.destroyLocalPool(id);
  // A pool with no floating buffers at all is exhausted once its exclusive ones are out.
  const exclusiveOnly = pool.createLocalPool(1, 1, 0, 4);
  const only = pool.requestSegment(exclusiveOnly, 0);
  assert.equal(pool.requestSegment(exclusiveOnly, 0), RequestStatus.POOL_EXHAUSTED);
  pool.recycleSegment(only);
  pool.destroyLocalPool(exclusiveOnly);
});

test('destroy refuses while segments are held; force reclaims them', () => {
  const view = format({ segmentSize: 64, numSegments: 8, maxLocalPools: 2, numSubpartitionCounters: 8 });
  const pool = new addon.NetworkBufferPool(view);
  const words = networkMemoryWords(view);
  const id = pool.createLocalPool(2, 1, 4, 4);
  for (let i = 0; i < 5; i++) assert.ok(pool.requestSegment(id, i % 2) >= 0);
  assert.equal(pool.stats().usedSegments, 5);
  assert.throws(() => pool.destroyLocalPool(id), { name: 'Error', message: /5 segment\(s\) are still in use/ });
  assert.equal(pool.stats().numLocalPools, 1);
  const epoch = Atomics.load(words, HeaderWord.RECYCLE_EPOCH);
  assert.equal(pool.destroyLocalPool(id, true), 5);
  assert.ok(Atomics.load(words, HeaderWord.RECYCLE_EPOCH) !== epoch, 'a forced destroy bumps the epoch');
  assert.deepEqual(
    { ...pool.stats(), highWaterUsed: 0 },
    { totalSegments: 8, availableSegments: 8, usedSegments: 0, highWaterUsed: 0, reservedMinimum: 0, numLocalPools: 0, segmentSize: 64, segmentsOffset: pool.stats().segmentsOffset },
  );
  assert.throws(() => pool.localPoolStats(id), { name: 'RangeError' });
  const again = pool.createLocalPool(1, 0, 8, 8);
  const all = Array.from({ length: 8 }, () => pool.requestSegment(again, 0));
  assert.equal(new Set(all).size, 8);
  assert.ok(all.every((index) => index >= 0 && index < 8));
  assert.equal(pool.destroyLocalPool(again, true), 8);
});
