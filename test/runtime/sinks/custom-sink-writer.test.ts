import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSinkWriter } from '../../../src/runtime/sinks/sink-writer.js';

describe('custom sink (addSink)', () => {
  it('calls the factory with the subtask context and invokes synchronously', () => {
    const seen: unknown[] = [];
    const contexts: unknown[] = [];
    let closes = 0;
    const writer = createSinkWriter(
      {
        kind: 'custom',
        factory: (context) => {
          contexts.push(context);
          return {
            invoke: (value) => {
              seen.push(value);
            },
            close: () => {
              closes++;
            },
          };
        },
      },
      { subtaskIndex: 2, parallelism: 4 },
    );
    assert.deepEqual(contexts, [{ subtaskIndex: 2, parallelism: 4 }]);
    assert.equal(writer.write(['a', 1]), undefined);
    assert.equal(writer.write('b'), undefined);
    writer.flush();
    writer.close();
    writer.close();
    assert.deepEqual(seen, [['a', 1], 'b']);
    assert.equal(closes, 1);
  });

  it('returns the promise of an async invoke so the task awaits it', async () => {
    const log: string[] = [];
    let closes = 0;
    const writer = createSinkWriter(
      {
        kind: 'custom',
        factory: () => ({
          invoke: async (value) => {
            await new Promise<void>((r) => setImmediate(r));
            log.push(String(value));
          },
          close: async () => {
            closes++;
          },
        }),
      },
      { subtaskIndex: 0, parallelism: 1 },
    );
    const pending = writer.write('x');
    assert.ok(pending instanceof Promise);
    assert.deepEqual(log, []);
    await pending;
    assert.deepEqual(log, ['x']);
    await writer.close();
    await writer.close();
    assert.equal(closes, 1);
  });

  it('propagates the original error of invoke (sync and async) and close', async () => {
    const boom = new Error('boom');
    const syncWriter = createSinkWriter(
      { kind: 'custom', factory: () => ({ invoke: () => { throw boom; } }) },
      { subtaskIndex: 0, parallelism: 1 },
    );
    assert.throws(() => syncWriter.write(1), (error: unknown) => error === boom);
    assert.equal(syncWriter.close(), undefined, 'no close(): nothing to do');

    const asyncWriter = createSinkWriter(
      { kind: 'custom', factory: () => ({ invoke: async () => { throw boom; } }) },
      { subtaskIndex: 0, parallelism: 1 },
    );
    await assert.rejects(asyncWriter.write(1)!, (error: unknown) => error === boom);

    const closeError = new TypeError('close failed');
    const closing = createSinkWriter(
      { kind: 'custom', factory: () => ({ invoke: () => {}, close: () => { throw closeError; } }) },
      { subtaskIndex: 0, parallelism: 1 },
    );
    assert.throws(() => closing.close(), (error: unknown) => error === closeError);
  });

  it('rejects a factory that returns no sink', () => {
    assert.throws(
      () => createSinkWriter({ kind: 'custom', factory: () => undefined as never }, { subtaskIndex: 0, parallelism: 1 }),
      TypeError,
    );
  });
});

describe('createSinkWriter', () => {
  it('refuses collect sinks with an internal error', () => {
    assert.throws(
      () => createSinkWriter({ kind: 'collect' }, { subtaskIndex: 0, parallelism: 1 }),
      (error: unknown) => (error as { code?: string }).code === 'ERR_INTERNAL' && /collect/.test((error as Error).message),
    );
  });
});
