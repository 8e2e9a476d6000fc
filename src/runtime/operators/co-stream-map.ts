/**
 * `connect(other).map(fn1, fn2)`: a two-input map (Flink's CoStreamMap). Records of input 1 go
 * through `fn1`, those of input 2 through `fn2`, each keeping its timestamp; the watermark is the
 * minimum of the two inputs' (AbstractStreamOperator). Errors as in stream-map.ts.
 */
import { errors } from '../../errors.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import type { Output } from './output.js';
import type { TwoInputStreamOperator } from './two-input-stream-operator.js';

export class CoStreamMap extends AbstractStreamOperator implements TwoInputStreamOperator {
  constructor(
    name: string,
    private readonly fn1: (value: unknown) => unknown,
    private readonly fn2: (value: unknown) => unknown,
    output: Output,
  ) {
    super(name, output);
  }

  processElement1(value: unknown, timestamp: number): void {
    let result: unknown;
    try {
      result = this.fn1(value);
    } catch (cause) {
      throw errors.userFunction(this.name, this.fn1.name || 'map1', cause);
    }
    this.output.collect(result, timestamp);
  }

  processElement2(value: unknown, timestamp: number): void {
    let result: unknown;
    try {
      result = this.fn2(value);
    } catch (cause) {
      throw errors.userFunction(this.name, this.fn2.name || 'map2', cause);
    }
    this.output.collect(result, timestamp);
  }
}
