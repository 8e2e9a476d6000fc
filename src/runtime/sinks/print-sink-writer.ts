/**
 * The `print()` / `printToErr()` sink: Flink's PrintSinkFunction (PrintSinkOutputWriter).
 *
 * Each record becomes one line, `linePrefix + formatRecord(record) + '\n'`, where the line
 * prefix follows Flink exactly:
 *
 * | prefix given | parallelism | line            |
 * |--------------|-------------|-----------------|
 * | no           | 1           | `record`        |
 * | no           | > 1         | `2> record`     |
 * | `p`          | 1           | `p> record`     |
 * | `p`          | > 1         | `p:2> record`   |
 *
 * (the number is the sink subtask index + 1). Lines end with `\n` on every platform.
 *
 * Output is batched: lines accumulate in a string and go to the stream in one `write` per
 * `batchSize` characters, on `flush()` (the task calls it on `execution.buffer-timeout`, so a
 * slow stream's lines show while the job runs) and on `close()`. Batches hold whole lines only, so the
 * lines of parallel subtasks sharing stdout never interleave mid-line. In a worker thread
 * `process.stdout` is piped asynchronously to the main thread; when the stream's `write`
 * returns false, `write`/`flush` return a promise that resolves on 'drain', and the task waits
 * for it before the next record (back-pressure instead of unbounded buffering).
 *
 * The stream is not owned: `close()` flushes but never ends it.
 */
import type { SinkWriter } from './sink-writer.js';
import { formatRecord } from './format-record.js';

/** The line prefix Flink's PrintSinkOutputWriter computes (`''`, `2> `, `p> `, `p:2> `). */
export function printLinePrefix(prefix: string | undefined, subtaskIndex: number, parallelism: number): string {
  let completed = prefix ?? '';
  if (parallelism > 1) {
    if (completed.length > 0) completed += ':';
    completed += String(subtaskIndex + 1);
  }
  return completed.length > 0 ? completed + '> ' : '';
}

export class PrintSinkWriter implements SinkWriter<unknown> {
  readonly #stream: NodeJS.WritableStream;
  readonly #linePrefix: string;
  readonly #batchSize: number;
  #buffer = '';
  /** Pending 'drain' wait while the stream is back-pressured, else undefined. */
  #drain: Promise<void> | undefined;
  #closed = false;

  constructor(stream: NodeJS.WritableStream, prefix: string | undefined, subtaskIndex: number, parallelism: number, batchSize: number) {
    this.#stream = stream;
    this.#linePrefix = printLinePrefix(prefix, subtaskIndex, parallelism);
    this.#batchSize = batchSize;
  }

  write(record: unknown): Promise<void> | undefined {
    this.#buffer += this.#linePrefix + formatRecord(record) + '\n';
    return this.#buffer.length >= this.#batchSize ? this.#emit() : undefined;
  }

  flush(): Promise<void> | void {
    return this.#buffer.length > 0 ? this.#emit() : this.#drain;
  }

  /**
   * Hands over the last lines and resolves once the stream has taken them: in a worker thread
   * that is when the main thread received them, so no output is lost when the worker ends.
   */
  close(): Promise<void> | void {
    if (this.#closed) return this.#drain;
    this.#closed = true;
    const chunk = this.#buffer;
    this.#buffer = '';
    return new Promise<void>((resolve, reject) => {
      this.#stream.write(chunk, (error?: Error | null) => (error ? reject(error) : resolve()));
    });
  }

  /** Hands the buffered lines to the stream; a promise if it asks to wait for 'drain'. */
  #emit(): Promise<void> | undefined {
    const chunk = this.#buffer;
    this.#buffer = '';
    if (this.#stream.write(chunk)) return undefined;
    if (this.#drain === undefined) {
      const drain = waitForDrain(this.#stream);
      this.#drain = drain;
      const clear = (): void => {
        if (this.#drain === drain) this.#drain = undefined;
      };
      drain.then(clear, clear);
    }
    return this.#drain;
  }
}

/**
 * Resolves when `stream` emits 'drain' (or 'close': nothing left to wait for); rejects with the
 * stream's error.
 */
function waitForDrain(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (): void => {
      stream.removeListener('drain', done);
      stream.removeListener('close', done);
      stream.removeListener('error', failed);
      resolve();
    };
    const failed = (error: unknown): void => {
      stream.removeListener('drain', done);
      stream.removeListener('close', done);
      stream.removeListener('error', failed);
      reject(error);
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', failed);
  });
}
