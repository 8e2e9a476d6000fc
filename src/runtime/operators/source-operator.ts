/**
 * The head of a source task (Flink's SourceOperator): polls the subtask's SourceReader for a
 * bounded number of records per step and emits them, without timestamps (sources assign none
 * yet). The emit function is made once. `close()` releases the reader's files or sockets.
 */
import type { SourceOutput, SourceReader } from '../sources/source-reader.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import type { Output } from './output.js';
import { NO_TIMESTAMP, type StreamOperator } from './stream-operator.js';

export class SourceOperator extends AbstractStreamOperator implements StreamOperator {
  /** Records emitted (the task's numRecordsIn). */
  recordsOut = 0;
  private readonly emit: (record: unknown) => void;

  constructor(
    name: string,
    readonly reader: SourceReader<unknown>,
    output: Output,
  ) {
    super(name, output);
    this.emit = (record) => {
      this.recordsOut++;
      this.output.collect(record, NO_TIMESTAMP);
    };
  }

  /**
   * Emits up to `budget` records; returns the reader's SourceStatus (MORE, WAITING: await
   * `reader.ready`, END). Stops after the record that set `output.blocked` (back-pressure).
   */
  poll(budget: number, output: SourceOutput): number {
    return this.reader.poll(budget, this.emit, output);
  }

  override close(): void {
    void Promise.resolve(this.reader.close()).catch(() => {});
  }
}

