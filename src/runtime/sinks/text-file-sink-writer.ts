/**
 * The `writeAsText(path)` sink subtask: Flink's TextOutputFormat behind an OutputFormatSinkFunction.
 *
 * It writes one in-progress file, named by the main thread's FileOutputCommitter
 * (`<staging>/<subtask + 1>` next to the target), which makes the job's output visible by a
 * rename only when the whole job succeeded, and removes it otherwise. The layout, as in Flink:
 * with sink parallelism 1, `path` is the file holding every record; above 1, `path` is a
 * directory and subtask i's file becomes `path/<i + 1>`. Existing output and write modes are the
 * committer's business; this writer only creates its file exclusively (`wx`) in the staging
 * directory the committer created.
 *
 * One line per record, `formatRecord(record) + '\n'`, UTF-8 (TextOutputFormat writes `\n` on
 * every platform). Lines are batched in a string and written with `fs.writeSync` every
 * `batchSize` characters, on `flush()` and on `close()`: synchronous writes block only this
 * worker thread, and batching keeps them rare so the subtasks sharing the thread keep running.
 * The task flushes on `execution.buffer-timeout`, so a running job's lines reach the in-progress
 * file (in the hidden staging directory) while it runs; the target path appears only at commit.
 *
 * I/O failures (EACCES, ENOSPC, ...) become `ERR_SINK_FILE` errors naming the target path (what
 * the user wrote in `writeAsText`), with the in-progress file and the system error as `cause`.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { SinkWriter } from './sink-writer.js';
import { formatRecord } from './format-record.js';
import { errorCode, errorMessage, errors } from '../../errors.js';

export class TextFileSinkWriter implements SinkWriter<unknown> {
  /** The in-progress file this subtask writes. */
  readonly file: string;
  /** The sink's target (`writeAsText(path)`), for messages. */
  readonly path: string;
  readonly #batchSize: number;
  #fd: number;
  #buffer = '';

  constructor(path: string, file: string, batchSize: number) {
    this.path = path;
    this.file = file;
    this.#batchSize = batchSize;
    try {
      this.#fd = openSync(file, 'wx');
    } catch (error) {
      throw errors.sinkFile(path, `cannot create its in-progress file '${file}' (${errorMessage(error)})`, error);
    }
  }

  write(record: unknown): undefined {
    this.#buffer += formatRecord(record) + '\n';
    if (this.#buffer.length >= this.#batchSize) this.#writeBuffer();
    return undefined;
  }

  flush(): void {
    if (this.#buffer.length > 0) this.#writeBuffer();
  }

  close(): void {
    if (this.#fd < 0) return;
    let failed = false;
    let failure: unknown;
    try {
      this.flush();
    } catch (error) {
      failed = true;
      failure = error;
    }
    const fd = this.#fd;
    this.#fd = -1;
    this.#buffer = '';
    try {
      closeSync(fd);
    } catch (error) {
      if (!failed) {
        failed = true;
        failure = errors.sinkFile(this.path, `cannot close the file (${errorMessage(error)})`, error);
      }
    }
    if (failed) throw failure;
  }

  #writeBuffer(): void {
    if (this.#fd < 0) throw errors.internal(`text file sink '${this.file}' written after close()`);
    const bytes = Buffer.from(this.#buffer, 'utf8');
    this.#buffer = '';
    let offset = 0;
    try {
      while (offset < bytes.length) offset += writeSync(this.#fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      throw errors.sinkFile(this.path, `cannot write (${errorMessage(error)})`, error);
    }
  }
}

