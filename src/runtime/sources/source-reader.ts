/**
 * Source readers: what runs inside a source subtask (index `subtaskIndex` of `parallelism`) and
 * produces that subtask's part of the input.
 *
 * Contract. Several subtasks share one worker thread and run cooperatively, so a reader never
 * blocks the thread:
 * - `poll(max, emit, output)` hands out at most `max` records, synchronously, through `emit`, does
 *   a bounded amount of work (a few chunk reads at most), and says what comes next: `MORE` (call
 *   again now), `WAITING` (nothing right now: await `ready`, then poll again) or `END`. It stops
 *   after the record that made `output.blocked` non-zero (the task's output is back-pressured).
 * - Failures surface as a throw from `poll()`: the reader's own `SourceError`s (file, socket), or
 *   the original error a user's iterator threw (the task wraps it with the operator name).
 * - `close()` releases files and sockets; it is idempotent and is called on finish and on cancel.
 *
 * Nothing is opened or connected before the first `poll()`, so creating a reader never fails on
 * I/O and a reader that is never polled holds nothing.
 *
 * Layering: depends on graph/ (SourceSpec) and errors only.
 */
import { errors } from '../../errors.js';
import type { SourceSpec } from '../../graph/stream-graph.js';
import { CustomSourceReader } from './custom-source-reader.js';
import { ElementsSourceReader } from './elements-source-reader.js';
import { SequenceSourceReader } from './sequence-source-reader.js';
import { SocketSourceReader } from './socket-source-reader.js';
import { TextFileSourceReader } from './text-file-source-reader.js';

/** What `poll()` says comes next. */
export const SourceStatus = {
  /** More records are available now: poll again. */
  MORE: 0,
  /** Nothing right now: await `ready`, then poll again. */
  WAITING: 1,
  /** The source is finished; `poll()` keeps returning `END`. */
  END: 2,
} as const;

/** One of the `SourceStatus` values. */
export type SourceStatusValue = (typeof SourceStatus)[keyof typeof SourceStatus];

/** Where a reader runs: its subtask among the source's subtasks. */
export interface SourceReaderContext {
  /** 0-based index of this subtask. */
  readonly subtaskIndex: number;
  /** Number of subtasks of the source (>= 1). */
  readonly parallelism: number;
}

/** Tuning knobs, mainly for tests; the defaults suit production. */
export interface SourceReaderOptions {
  /** Bytes per synchronous file read (text files). Default 65536 (64 KiB). */
  readonly chunkSize?: number;
  /** Most chunk reads one `poll()` may do (text files), bounding its time. Default 16. */
  readonly maxReadsPerPoll?: number;
  /** Buffered lines above which the socket is paused; it resumes when drained. Default 4096. */
  readonly socketHighWaterLines?: number;
}

/**
 * The availability of the task's output, read by a reader between records: while `blocked` is
 * not 0 the output cannot take more, and `poll()` returns MORE before its next record, so what
 * waits for the output stays bounded by the output of one record.
 */
export interface SourceOutput {
  readonly blocked: number;
}

/** The output of a reader polled without one: never blocked. */
export const UNBLOCKED: SourceOutput = { blocked: 0 };

/** Produces one source subtask's records without ever blocking the thread. */
export interface SourceReader<T> {
  /**
   * Emits up to `max` records via `emit` (synchronously); returns what comes next. Never blocks.
   * With `output`, stops early (MORE) as soon as `output.blocked` is set after a record.
   */
  poll(max: number, emit: (record: T) => void, output?: SourceOutput): number;
  /** When poll returned WAITING: settles when more may be available (or the source ended/failed). Never rejects. */
  readonly ready: Promise<void> | undefined;
  /** Releases files/sockets; idempotent; called on finish and on cancel. */
  close(): Promise<void> | void;
  /** Bytes read so far (for progress). 0 for sources that read no bytes. */
  readonly bytesRead: number;
  /** Bytes this reader will read in total when known (a text file split's length), else undefined. */
  readonly totalBytes: number | undefined;
}

/** The reader of subtask `context.subtaskIndex` of the source `spec`. */
export function createSourceReader(
  spec: SourceSpec,
  context: SourceReaderContext,
  options: SourceReaderOptions = {},
): SourceReader<unknown> {
  switch (spec.kind) {
    case 'elements':
      return new ElementsSourceReader(spec.elements, context);
    case 'sequence':
      return new SequenceSourceReader(spec.from, spec.to, context);
    case 'textFile':
      return new TextFileSourceReader(spec.path, context, options);
    case 'socket':
      return new SocketSourceReader(spec.host, spec.port, spec.delimiter, context, options);
    case 'custom':
      return new CustomSourceReader(spec.factory, context);
  }
}

/** Checks `context` is a valid subtask (a programming error otherwise). */
export function checkContext(context: SourceReaderContext): void {
  const { subtaskIndex, parallelism } = context;
  if (!Number.isSafeInteger(parallelism) || parallelism < 1) {
    throw errors.argumentOutOfRange('source parallelism', parallelism, 'expected an integer >= 1');
  }
  if (!Number.isSafeInteger(subtaskIndex) || subtaskIndex < 0 || subtaskIndex >= parallelism) {
    throw errors.argumentOutOfRange('source subtask index', subtaskIndex, `expected 0..${parallelism - 1}`);
  }
}

/** A non-parallel source (elements, socket) must run as subtask 0 of 1. */
export function checkNonParallel(what: string, context: SourceReaderContext): void {
  checkContext(context);
  if (context.parallelism !== 1) {
    throw errors.argumentOutOfRange(`${what} source parallelism`, context.parallelism, 'the source is non-parallel, expected 1');
  }
}
