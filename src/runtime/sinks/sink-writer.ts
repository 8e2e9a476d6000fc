/**
 * The writer a sink subtask feeds its records to: one per sink subtask, built from the node's
 * SinkSpec by `createSinkWriter`.
 *
 * Contract with the task that drives it:
 * - `write(record)` for each record, in order. It returns a promise only when the sink must be
 *   awaited before the next write (stdout or stderr back-pressuring, an async custom sink);
 *   otherwise `undefined`, so the hot path allocates no promise.
 * - `flush()` on `execution.buffer-timeout`, like the network output: after every record with
 *   0, when the OutputFlusher's clock moved with a positive timeout (checked after each write and
 *   whenever the task goes idle, so a trickle of records is not held), never with -1 (only
 *   `close()` writes the rest). It may return a promise (waiting on a back-pressured stream).
 *   The task's SequentialSink (runtime/task/sequential-sink.ts) does the calling.
 * - `close()` once the input ends or the job is cancelled: flushes and releases. Idempotent.
 * - Errors are thrown (or rejected) as they come: strom's `SinkError` for files, the user's own
 *   error for a custom sink. The task wraps them with the operator name.
 *
 * `collect` sinks are not built here: the runtime routes collected records through a channel
 * to the main thread.
 *
 * Layering: runtime/sinks depends on graph (SinkSpec, types only) and errors.
 */
import type { SinkSpec } from '../../graph/stream-graph.js';
import { errors } from '../../errors.js';
import { CustomSinkWriter } from './custom-sink-writer.js';
import { PrintSinkWriter } from './print-sink-writer.js';
import { TextFileSinkWriter } from './text-file-sink-writer.js';

/** Writes the records of one sink subtask. */
export interface SinkWriter<T> {
  /** Writes one record; may buffer. Returns a promise only when the sink must be awaited before the next write (backpressure of an async custom sink); otherwise undefined. */
  write(record: T): Promise<void> | undefined;
  /** Hands buffered output on (called on the buffer timeout); a promise when the task must wait for it. */
  flush(): Promise<void> | void;
  /** Flushes and releases; idempotent; called when the input ends or the job is cancelled. */
  close(): Promise<void> | void;
}

/** Where a sink writer runs. */
export interface SinkWriterContext {
  /** Index of the sink subtask, from 0. */
  subtaskIndex: number;
  /** Parallelism of the sink. */
  parallelism: number;
  /**
   * For a `writeAsText` sink: the in-progress file this subtask writes, named by the main
   * thread's FileOutputCommitter (required for text file sinks).
   */
  textFile?: string;
  /** Stream `print()` writes to; default `process.stdout`. */
  stdout?: NodeJS.WritableStream;
  /** Stream `printToErr()` writes to; default `process.stderr`. */
  stderr?: NodeJS.WritableStream;
  /**
   * Characters the print and text file sinks buffer before writing a batch; default
   * `SINK_BATCH_SIZE` (64 Ki). Tests use small values.
   */
  batchSize?: number;
}

/** Characters (about bytes for ASCII output) print and text file sinks buffer per write: 64 Ki. */
export const SINK_BATCH_SIZE = 64 * 1024;

/** Builds the writer of one sink subtask. Throws for `collect` (routed by the runtime). */
export function createSinkWriter(spec: SinkSpec, context: SinkWriterContext): SinkWriter<unknown> {
  const { subtaskIndex, parallelism } = context;
  const batchSize = context.batchSize ?? SINK_BATCH_SIZE;
  switch (spec.kind) {
    case 'print': {
      const stream = spec.stderr ? (context.stderr ?? process.stderr) : (context.stdout ?? process.stdout);
      return new PrintSinkWriter(stream, spec.prefix, subtaskIndex, parallelism, batchSize);
    }
    case 'textFile':
      if (context.textFile === undefined) {
        throw errors.internal(`text file sink '${spec.path}' deployed without its in-progress file (the FileOutputCommitter names it)`);
      }
      return new TextFileSinkWriter(spec.path, context.textFile, batchSize);
    case 'custom':
      return new CustomSinkWriter(spec.factory, subtaskIndex, parallelism);
    case 'collect':
      throw errors.internal(
        `createSinkWriter was asked for a collect sink; collect() records are routed to the main thread by the runtime, not written by a SinkWriter`,
      );
    default:
      throw errors.internal(`unknown sink kind '${(spec as { kind: unknown }).kind}'`);
  }
}
