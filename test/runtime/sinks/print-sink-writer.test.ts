import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { createSinkWriter } from '../../../src/runtime/sinks/sink-writer.js';
import { printLinePrefix } from '../../../src/runtime/sinks/print-sink-writer.js';

/**
 * A Writable that records every chunk it is given. With `hold`, it completes no write until
 * `release()` is called (a slow consumer).
 */
function capture(highWaterMark = 1 << 20, hold = false): { stream: Writable; chunks: string[]; text: () => string; release: () => void } {
  const chunks: string[] = [];
  let held: Array<() => void> | undefined = hold ? [] : undefined;
  const stream = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      chunks.push(String(chunk));
      if (held) held.push(callback);
      else callback();
    },
  });
  const release = (): void => {
    const pending = held ?? [];
    held = undefined;
    for (const callback of pending) callback();
  };
  return { stream, chunks, text: () => chunks.join(''), release };
}

describe('print sink', () => {
  it('follows Flink\'s line prefix rule', () => {
    assert.equal(printLinePrefix(undefined, 0, 1), '');
    assert.equal(printLinePrefix('', 2, 1), '');
    assert.equal(printLinePrefix(undefined, 1, 3), '2> ');
    assert.equal(printLinePrefix('p', 0, 1), 'p> ');
    assert.equal(printLinePrefix('p', 2, 3), 'p:3> ');
    assert.equal(printLinePrefix('', 0, 2), '1> ');
  });

  it('prints bare records with parallelism 1, once flushed', async () => {
    const out = capture();
    const writer = createSinkWriter({ kind: 'print', stderr: false }, { subtaskIndex: 0, parallelism: 1, stdout: out.stream });
    assert.equal(writer.write(['hello', 1]), undefined);
    assert.equal(writer.write(['world', 2]), undefined);
    assert.equal(writer.write('plain'), undefined);
    assert.equal(out.text(), '', 'buffered until flush');
    await writer.flush();
    assert.equal(out.text(), '(hello,1)\n(world,2)\nplain\n');
    assert.equal(out.chunks.length, 1, 'one batch');
    await writer.close();
    await writer.close();
    assert.equal(out.text(), '(hello,1)\n(world,2)\nplain\n');
    assert.equal(out.stream.writableEnded, false, 'never ends the stream');
  });

  it('prefixes the subtask number with parallelism 3, and the prefix when given', async () => {
    const out = capture();
    const writers = [0, 1, 2].map((i) =>
      createSinkWriter({ kind: 'print', stderr: false }, { subtaskIndex: i, parallelism: 3, stdout: out.stream }),
    );
    writers[0]!.write(['a', 1]);
    writers[2]!.write(['c', 3]);
    writers[1]!.write(['b', 2]);
    for (const w of writers) await w.close();
    assert.equal(out.text(), '1> (a,1)\n2> (b,2)\n3> (c,3)\n');

    const prefixed = capture();
    const p3 = createSinkWriter({ kind: 'print', prefix: 'wc', stderr: false }, { subtaskIndex: 1, parallelism: 3, stdout: prefixed.stream });
    const p1 = createSinkWriter({ kind: 'print', prefix: 'wc', stderr: false }, { subtaskIndex: 0, parallelism: 1, stdout: prefixed.stream });
    p3.write(['x', 1]);
    await p3.close();
    p1.write(['y', 2]);
    await p1.close();
    assert.equal(prefixed.text(), 'wc:2> (x,1)\nwc> (y,2)\n');
  });

  it('printToErr writes to stderr, not stdout', async () => {
    const out = capture();
    const err = capture();
    const writer = createSinkWriter({ kind: 'print', stderr: true }, { subtaskIndex: 0, parallelism: 1, stdout: out.stream, stderr: err.stream });
    writer.write(42n);
    await writer.close();
    assert.equal(out.text(), '');
    assert.equal(err.text(), '42\n');
  });

  it('writes whole-line batches once batchSize is reached', async () => {
    const out = capture();
    const writer = createSinkWriter({ kind: 'print', stderr: false }, { subtaskIndex: 0, parallelism: 1, stdout: out.stream, batchSize: 10 });
    writer.write('12345'); // 6 chars buffered
    assert.equal(out.chunks.length, 0);
    writer.write('67890'); // 12 >= 10: one batch
    assert.deepEqual(out.chunks, ['12345\n67890\n']);
    writer.write('x');
    await writer.close();
    assert.deepEqual(out.chunks, ['12345\n67890\n', 'x\n']);
  });

  it('returns a promise resolving on drain when the stream back-pressures', async () => {
    const out = capture(4, true); // tiny highWaterMark, callbacks held until release()
    const writer = createSinkWriter({ kind: 'print', stderr: false }, { subtaskIndex: 0, parallelism: 1, stdout: out.stream, batchSize: 1 });
    const pending = writer.write('first line');
    assert.ok(pending instanceof Promise, 'write returns a promise when stream.write returns false');
    let resolved = false;
    void pending.then(() => {
      resolved = true;
    });
    await new Promise<void>((r) => setImmediate(r));
    assert.equal(resolved, false, 'not before drain');
    // A flush while back-pressured hands back the same wait.
    assert.equal(writer.flush(), pending);
    out.release();
    await pending;
    assert.equal(resolved, true);
    assert.equal(out.text(), 'first line\n');
    // Drained and no longer holding writes: a batch the stream accepts returns undefined again.
    assert.equal(writer.write('x'), undefined);
    assert.equal(out.text(), 'first line\nx\n');
  });

  it('rejects the drain wait with the stream\'s error', async () => {
    const out = capture(4, true);
    out.stream.on('error', () => {}); // keep the emitter from throwing
    const writer = createSinkWriter({ kind: 'print', stderr: false }, { subtaskIndex: 0, parallelism: 1, stdout: out.stream, batchSize: 1 });
    const pending = writer.write('line');
    assert.ok(pending instanceof Promise);
    const boom = new Error('EPIPE');
    out.stream.destroy(boom);
    await assert.rejects(pending, boom);
  });
});
