/**
 * SequentialSink, the task's side of a SinkWriter: flushes on `execution.buffer-timeout` (the
 * OutputFlusher's clock moved: after a write or when idle; 0: after every record; -1: never
 * before close) and keeps writes and flushes in order behind a pending promise. The clock is a
 * real OutputFlusher, advanced by hand with `tick()`; the print sink is the real one over an
 * in-memory stream, the recording writer a hand-written SinkWriter.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { OutputFlusher } from '../../../src/io/output-flusher.js';
import { createSinkWriter, type SinkWriter } from '../../../src/runtime/sinks/sink-writer.js';
import { SequentialSink } from '../../../src/runtime/task/sequential-sink.js';

/** A SinkWriter that logs its calls; `hold` makes the next write or flush return a promise settled by hand. */
function recording(): { writer: SinkWriter<unknown>; log: string[]; hold: () => { resolve: () => void; reject: (e: Error) => void } } {
  const log: string[] = [];
  let held: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } | undefined;
  const take = (): Promise<void> | undefined => {
    const h = held;
    held = undefined;
    return h?.promise;
  };
  const writer: SinkWriter<unknown> = {
    write: (record) => {
      log.push(`write ${String(record)}`);
      return take();
    },
    flush: () => {
      log.push('flush');
      return take();
    },
    close: () => {
      log.push('close');
    },
  };
  const hold = () => {
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    held = { promise, resolve, reject };
    return { resolve, reject };
  };
  return { writer, log, hold };
}

function captureStream(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('SequentialSink flushes its SinkWriter on the buffer timeout', () => {
  it('a print sink shows its lines once the flush clock moved: at the next write, or when idle', async () => {
    const flusher = new OutputFlusher();
    const out = captureStream();
    const print = createSinkWriter({ kind: 'print', stderr: false }, { subtaskIndex: 0, parallelism: 1, stdout: out.stream });
    const sink = new SequentialSink(print, 'Print', 100, new Int32Array(flusher.buffer));
    assert.equal(sink.write('a'), undefined);
    assert.equal(sink.write('b'), undefined);
    assert.equal(sink.flushIfDue(), undefined);
    assert.equal(out.text(), '', 'held while the clock stands still');
    flusher.tick();
    assert.equal(sink.write('c'), undefined);
    assert.equal(out.text(), 'a\nb\nc\n', 'the write after a tick flushes, itself included');
    assert.equal(sink.write('d'), undefined);
    assert.equal(sink.flushIfDue(), undefined);
    assert.equal(out.text(), 'a\nb\nc\n', 'one flush per tick');
    flusher.tick();
    assert.equal(sink.flushIfDue(), undefined);
    assert.equal(out.text(), 'a\nb\nc\nd\n', 'an idle task flushes what it holds once the clock moved');
    await sink.close();
  });

  it('flushes once per clock movement, however many ticks it missed', () => {
    const flusher = new OutputFlusher();
    const { writer, log } = recording();
    const sink = new SequentialSink(writer, 'Rec', 100, new Int32Array(flusher.buffer));
    sink.write(1);
    flusher.tick();
    flusher.tick();
    flusher.tick();
    sink.write(2);
    sink.write(3);
    sink.flushIfDue();
    assert.deepEqual(log, ['write 1', 'write 2', 'flush', 'write 3']);
  });

  it('buffer timeout 0 flushes after every record; -1 only on close, whatever the clock does', async () => {
    const flusher = new OutputFlusher();
    const clock = new Int32Array(flusher.buffer);
    const every = recording();
    const eager = new SequentialSink(every.writer, 'Eager', 0, clock);
    eager.write(1);
    eager.write(2);
    assert.deepEqual(every.log, ['write 1', 'flush', 'write 2', 'flush']);

    const never = recording();
    const lazy = new SequentialSink(never.writer, 'Lazy', -1, clock);
    lazy.write(1);
    flusher.tick();
    lazy.write(2);
    assert.equal(lazy.flushIfDue(), undefined);
    await lazy.close();
    assert.deepEqual(never.log, ['write 1', 'write 2', 'close']);
  });

  it('a flush that must be waited for holds the next records back; they follow in order', async () => {
    const flusher = new OutputFlusher();
    const { writer, log, hold } = recording();
    const sink = new SequentialSink(writer, 'Rec', 100, new Int32Array(flusher.buffer));
    sink.write(1);
    flusher.tick();
    const drain = hold();
    const pending = sink.flushIfDue();
    assert.ok(pending instanceof Promise, 'the task waits for a back-pressured flush');
    assert.equal(sink.write(2), pending, 'a record during the flush queues behind it');
    flusher.tick();
    assert.equal(sink.flushIfDue(), pending, 'a flush due meanwhile follows the queued records');
    assert.deepEqual(log, ['write 1', 'flush']);
    drain.resolve();
    await pending;
    assert.deepEqual(log, ['write 1', 'flush', 'write 2', 'flush']);
    assert.equal(sink.write(3), undefined, 'drained: writes go straight through again');
    assert.equal(sink.written, 3);
  });

  it("a failing flush rejects the promise the task waits on with the sink's error, even picked up late", async () => {
    const flusher = new OutputFlusher();
    const { writer, hold } = recording();
    const sink = new SequentialSink(writer, 'Rec', 100, new Int32Array(flusher.buffer));
    sink.write(1);
    flusher.tick();
    const drain = hold();
    const pending = sink.flushIfDue()!;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const boom = new Error('EPIPE');
      drain.reject(boom);
      // The scheduler attaches its handler only at its next round: let the rejection settle first.
      await new Promise((resolve) => setImmediate(resolve));
      await assert.rejects(pending, boom);
      assert.deepEqual(unhandled, [], 'no unhandled rejection before the task looked');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
