/**
 * `map`: one record out per record in, with the input's timestamp (Flink's StreamMap). A
 * throwing user function fails with UserFunctionError naming this operator; an error from
 * further down the chain passes through unwrapped, so the innermost operator is named.
 */
import { errors } from '../../errors.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import { servesAsChainingOutput } from './chaining-output.js';
import type { OneInputStreamOperator } from './one-input-stream-operator.js';
import type { Output } from './output.js';
import { closeRichFunction, openRichFunction, type RichFunctionBinding } from './rich-function-lifecycle.js';

/** Also the Output of the operator before it in a chain (chaining-output.ts). */
export interface StreamMap extends Output {}
export class StreamMap extends AbstractStreamOperator implements OneInputStreamOperator {
  constructor(
    name: string,
    private readonly fn: (value: unknown) => unknown,
    output: Output,
    /** The rich function `fn` belongs to, opened and closed with the operator. */
    private readonly rich: RichFunctionBinding | undefined = undefined,
  ) {
    super(name, output);
  }

  override open(): void {
    openRichFunction(this.rich, this.name);
  }

  override close(): void {
    closeRichFunction(this.rich?.fn, this.name);
  }

  processElement(value: unknown, timestamp: number): void {
    let result: unknown;
    try {
      result = this.fn(value);
    } catch (cause) {
      throw errors.userFunction(this.name, this.fn.name || 'map', cause);
    }
    this.output.collect(result, timestamp);
  }
}

servesAsChainingOutput(StreamMap);
