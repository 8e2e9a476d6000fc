/**
 * The `writeAsText(path)` sink: Flink's TextOutputFormat behind an OutputFormatSinkFunction.
 *
 * Layout, as in Flink: with sink parallelism 1, `path` is the file holding every record; with
 * parallelism above 1, `path` is a directory and subtask i writes the file `path/<i + 1>`.
 * Missing parent directories are created.
 *
 * Existing output is never overwritten (Flink's default `WriteMode.NO_OVERWRITE`): with
 * parallelism 1 an existing `path` (file or directory) fails; above 1 an existing directory is
 * fine but an existing `path/<i + 1>` fails, as does a `path` that is a file. The error
 * (`ERR_SINK_FILE_EXISTS`) names the path and says to delete it or choose another. The file is
 * created exclusively (`wx`) when the writer is built, so the check cannot race.
 *
 * One line per record, `formatRecord(record) + '\n'`, UTF-8 (TextOutputFormat writes `\n` on
 * every platform). Lines are batched in a string and written with `fs.writeSync` every
 * `batchSize` characters, on `flush()` and on `close()`: synchronous writes block only this
 * worker thread, and batching keeps them rare so the subtasks sharing the thread keep running.
 *
 * I/O failures (EACCES, ENOSPC, ENOTDIR, ...) become `ERR_SINK_FILE` errors naming the path,
 * with the system error as `cause`.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SinkWriter } from './sink-writer.js';
import { formatRecord } from './format-record.js';
import { errors } from '../../errors.js';

/** The file sink subtask `subtaskIndex` writes: `path` itself, or `path/<subtaskIndex + 1>`. */
export function textFileSinkPath(path: string, subtaskIndex: number, parallelism: number): string {
  return parallelism > 1 ? join(path, String(subtaskIndex + 1)) : path;
}

export class TextFileSinkWriter implements SinkWriter<unknown> {
  /** The file this subtask writes. */
  readonly path: string;
  readonly #batchSize: number;
  #fd: number;
  #buffer = '';

  constructor(path: string, subtaskIndex: number, parallelism: number, batchSize: number) {
    this.path = textFileSinkPath(path, subtaskIndex, parallelism);
    this.#batchSize = batchSize;
    // Parallel: `path` is the directory (concurrent recursive mkdir by sibling subtasks is fine).
    const directory = parallelism > 1 ? path : dirname(path);
    try {
      mkdirSync(directory, { recursive: true });
    } catch (error) {
      throw errors.sinkFile(
        this.path,
        code(error) === 'EEXIST'
          ? `'${directory}' exists and is not a directory` +
              (parallelism > 1 ? ` (with parallelism ${parallelism}, writeAsText writes one file per subtask into the directory '${path}')` : '')
          : code(error) === 'ENOTDIR'
            ? `cannot create the directory '${directory}': a part of it is a file, not a directory`
            : `cannot create the directory '${directory}' (${describe(error)})`,
        error,
      );
    }
    try {
      this.#fd = openSync(this.path, 'wx');
    } catch (error) {
      if (code(error) === 'EEXIST') throw errors.sinkFileExists(this.path);
      throw errors.sinkFile(this.path, `cannot create the file (${describe(error)})`, error);
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
        failure = errors.sinkFile(this.path, `cannot close the file (${describe(error)})`, error);
      }
    }
    if (failed) throw failure;
  }

  #writeBuffer(): void {
    if (this.#fd < 0) throw errors.internal(`text file sink '${this.path}' written after close()`);
    const bytes = Buffer.from(this.#buffer, 'utf8');
    this.#buffer = '';
    let offset = 0;
    try {
      while (offset < bytes.length) offset += writeSync(this.#fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      throw errors.sinkFile(this.path, `cannot write (${describe(error)})`, error);
    }
  }
}

function code(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
