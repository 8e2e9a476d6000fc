import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSourceReader, SourceStatus } from '../../../src/runtime/sources/source-reader.js';
import { drainSync } from './drain.js';

describe('ElementsSourceReader', () => {
  it('emits every element in order, in batches of at most max', () => {
    const elements = Array.from({ length: 25 }, (_, i) => ({ i }));
    const reader = createSourceReader({ kind: 'elements', elements }, { subtaskIndex: 0, parallelism: 1 });
    const batch: unknown[] = [];
    assert.equal(reader.poll(10, (r) => batch.push(r)), SourceStatus.MORE);
    assert.equal(batch.length, 10);
    assert.deepEqual([...batch, ...drainSync(reader, 4)], elements);
    assert.equal(reader.ready, undefined);
  });

  it('ends at once when empty', () => {
    const reader = createSourceReader({ kind: 'elements', elements: [] }, { subtaskIndex: 0, parallelism: 1 });
    assert.equal(reader.poll(1, () => assert.fail('no element')), SourceStatus.END);
  });

  it('is non-parallel', () => {
    assert.throws(() => createSourceReader({ kind: 'elements', elements: [1] }, { subtaskIndex: 0, parallelism: 2 }), RangeError);
    assert.throws(() => createSourceReader({ kind: 'elements', elements: [1] }, { subtaskIndex: 1, parallelism: 1 }), RangeError);
  });
});
