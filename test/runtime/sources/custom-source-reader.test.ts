import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSourceReader, SourceStatus } from '../../../src/runtime/sources/source-reader.js';
import { drain, drainSync } from './drain.js';

type Factory = (context: { subtaskIndex: number; parallelism: number }) => AsyncIterable<unknown> | Iterable<unknown>;
const custom = (factory: Factory, subtaskIndex = 0, parallelism = 1) => createSourceReader({ kind: 'custom', factory }, { subtaskIndex, parallelism });

describe('CustomSourceReader', () => {
  it('drains a sync iterable up to max per poll, with the subtask context', () => {
    const contexts: unknown[] = [];
    const reader = custom(function* (context) {
      contexts.push(context);
      for (let i = 0; i < 10; i++) yield `${context.subtaskIndex}/${context.parallelism}:${i}`;
    }, 2, 3);
    assert.deepEqual(contexts, [], 'the factory runs on the first poll');
    const batch: unknown[] = [];
    assert.equal(reader.poll(4, (r) => batch.push(r)), SourceStatus.MORE);
    assert.deepEqual(batch, ['2/3:0', '2/3:1', '2/3:2', '2/3:3']);
    assert.equal(drainSync(reader, 100).length, 6);
    assert.deepEqual(contexts, [{ subtaskIndex: 2, parallelism: 3 }]);
    assert.equal(reader.poll(1, () => assert.fail('ended')), SourceStatus.END);
  });

  it('reads an array and a Set', () => {
    assert.deepEqual(drainSync(custom(() => [1, 2, 3])), [1, 2, 3]);
    assert.deepEqual(drainSync(custom(() => new Set(['a', 'b']))), ['a', 'b']);
  });

  it('waits on an async iterable with one next() in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const values = Array.from({ length: 20 }, (_, i) => i);
    const iterable: AsyncIterable<number> = {
      [Symbol.asyncIterator]() {
        let i = 0;
        return {
          async next() {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await new Promise<void>((resolve) => setImmediate(resolve));
            inFlight--;
            return i < values.length ? { value: values[i++]!, done: false } : { value: undefined, done: true };
          },
        };
      },
    };
    const reader = custom(() => iterable);
    const { records, waits } = await drain(reader, 8);
    assert.deepEqual(records, values);
    assert.ok(waits >= values.length, 'a pending next() is reported as WAITING');
    assert.equal(maxInFlight, 1);
  });

  it('reads an async generator and sees records it resolves synchronously-soon', async () => {
    async function* gen() {
      for (let i = 0; i < 5; i++) {
        await Promise.resolve();
        yield i;
      }
    }
    assert.deepEqual((await drain(custom(gen), 2)).records, [0, 1, 2, 3, 4]);
  });

  it('throws the original error of a failing async iterator from poll()', async () => {
    const boom = new Error('boom');
    async function* gen() {
      yield 1;
      throw boom;
    }
    const reader = custom(gen);
    const got: unknown[] = [];
    await assert.rejects(drain(reader, 4).then((r) => got.push(...r.records)), (e) => e === boom);
    assert.throws(() => reader.poll(1, () => {}), (e) => e === boom, 'every later poll throws it again');
    await reader.close();
  });

  it('throws the original error of a failing sync iterator and of the factory', () => {
    const boom = new TypeError('bad record');
    const reader = custom(function* () {
      yield 1;
      throw boom;
    });
    const got: unknown[] = [];
    assert.throws(() => reader.poll(10, (r) => got.push(r)), (e) => e === boom);
    assert.deepEqual(got, [1]);
    const factoryError = new Error('factory');
    assert.throws(() => custom(() => { throw factoryError; }).poll(1, () => {}), (e) => e === factoryError);
  });

  it('rejects a factory result that is not iterable', () => {
    assert.throws(() => custom(() => 42 as unknown as Iterable<unknown>).poll(1, () => {}), TypeError);
  });

  it('close() before the end runs the generator cleanup (sync and async)', async () => {
    let syncCleaned = false;
    const syncReader = custom(function* () {
      try {
        for (;;) yield 1;
      } finally {
        syncCleaned = true;
      }
    });
    syncReader.poll(3, () => {});
    await syncReader.close();
    assert.equal(syncCleaned, true);
    assert.equal(syncReader.poll(1, () => assert.fail('closed')), SourceStatus.END);

    let asyncCleaned = false;
    const asyncReader = custom(async function* () {
      try {
        for (;;) yield 1;
      } finally {
        asyncCleaned = true;
      }
    });
    assert.equal(asyncReader.poll(1, () => {}), SourceStatus.WAITING);
    await asyncReader.ready;
    assert.equal(asyncReader.poll(1, () => {}), SourceStatus.WAITING);
    await asyncReader.ready;
    await asyncReader.close();
    assert.equal(asyncCleaned, true);
  });
});
