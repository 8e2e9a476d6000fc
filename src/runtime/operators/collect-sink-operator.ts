/**
 * The operator of a `collect()` sink: each record goes through a RecordWriter to a ring that
 * the main thread reads (client/collect). The task closes the writer with its other writers.
 */
import type { RecordWriter } from '../../io/record-writer.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import { servesAsChainingOutput } from './chaining-output.js';
import { DISCARDING_OUTPUT } from './broadcasting-output.js';
import type { OneInputStreamOperator } from './one-input-stream-operator.js';
import type { Output } from './output.js';

/** Also the Output of the operator before it in a chain (chaining-output.ts). */
export interface CollectSinkOperator extends Output {}
export class CollectSinkOperator extends AbstractStreamOperator implements OneInputStreamOperator {
  constructor(
    name: string,
    private readonly writer: RecordWriter<unknown>,
  ) {
    super(name, DISCARDING_OUTPUT);
  }

  processElement(value: unknown, _timestamp: number): void {
    this.writer.emit(value);
  }
}

servesAsChainingOutput(CollectSinkOperator);
