/**
 * The last operator of a sink task (Flink's StreamSink): hands each record to the subtask's
 * SequentialSink (print, writeAsText, addSink). A write or close the sink must be waited for
 * (a back-pressured stdout, an async custom sink) is handed to `wait`, the task's hook for what
 * it waits on; records written meanwhile queue in order behind it.
 *
 * `finish()` starts closing the sink (flush and release), possibly asynchronously; `close()`
 * after a failure closes it without waiting (the sink's close is idempotent).
 */
import type { SequentialSink } from '../task/sequential-sink.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import { servesAsChainingOutput } from './chaining-output.js';
import { DISCARDING_OUTPUT } from './broadcasting-output.js';
import type { OneInputStreamOperator } from './one-input-stream-operator.js';
import type { Output } from './output.js';

/** Also the Output of the operator before it in a chain (chaining-output.ts). */
export interface SinkOperator extends Output {}
export class SinkOperator extends AbstractStreamOperator implements OneInputStreamOperator {
  private finished = false;

  constructor(
    readonly sink: SequentialSink,
    /** Receives every promise the task must wait for before its next record. */
    private readonly wait: (pending: Promise<unknown>) => void,
  ) {
    super(sink.name, DISCARDING_OUTPUT);
  }

  processElement(value: unknown, _timestamp: number): void {
    const pending = this.sink.write(value);
    if (pending) this.wait(pending);
  }

  /** On the buffer timeout (the task calls it when idle): flushes the sink. */
  flushIfDue(): void {
    if (this.finished) return;
    const pending = this.sink.flushIfDue();
    if (pending) this.wait(pending);
  }

  /** Closes the sink once its queued writes are done; the task waits for that. Done in one call. */
  override finish(): boolean {
    this.finished = true;
    const closing = this.sink.close();
    if (closing) this.wait(closing);
    return true;
  }

  /** After a failure or cancel (not finished): closes the sink, best effort, without waiting. */
  override close(): void {
    if (this.finished) return;
    this.finished = true;
    void Promise.resolve(this.sink.close()).catch(() => {});
  }
}

servesAsChainingOutput(SinkOperator);
