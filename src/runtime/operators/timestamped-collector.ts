/**
 * The Collector handed to process functions (Flink's TimestampedCollector): `collect(value)`
 * emits with the timestamp of what is being processed (set by the operator per element or
 * timer). `downstream` is true while a record is inside the rest of the chain, so the operator
 * can tell an error of its user function from one thrown further down (which passes unwrapped).
 */
import { errors } from '../../errors.js';
import type { Collector } from '../../functions/collector.js';
import type { Output } from './output.js';
import { NO_TIMESTAMP } from './stream-operator.js';

export class TimestampedCollector implements Collector<unknown> {
  timestamp = NO_TIMESTAMP;
  downstream = false;
  /** Records emitted so far (main and side): the end-of-input steps count against their budget. */
  emitted = 0;

  constructor(private readonly output: Output) {}

  collect(value: unknown): void {
    this.downstream = true;
    this.emitted++;
    this.output.collect(value, this.timestamp);
    this.downstream = false;
  }

  /** What to throw for `cause`, thrown while `operator` ran `what`: a downstream error unchanged, the function's own wrapped. */
  failure(operator: string, what: string, cause: unknown): unknown {
    if (!this.downstream) return errors.userFunction(operator, what, cause);
    this.downstream = false;
    return cause;
  }
}
