/**
 * Flink's rich functions: a function object with a lifecycle. `open(openContext)` runs once per
 * subtask before the first element, `close()` once after the last (also after a failure), and
 * `getRuntimeContext()` gives the subtask's TaskInfo and keyed state. map, flatMap, filter,
 * reduce and process accept such an object (RichMapFunction, ...); plain functions stay plain.
 */
import { errors } from '../errors.js';
import type { Collector } from './collector.js';
import type { RuntimeContext } from './runtime-context.js';

/** Flink's OpenContext (what `open` receives); empty for now, as in Flink. */
export interface OpenContext {}

/** The lifecycle every rich function has (Flink's RichFunction). */
export interface RichFunction {
  open(openContext: OpenContext): void;
  close(): void;
  getRuntimeContext(): RuntimeContext;
  /** @internal Called by the operator before `open`. */
  setRuntimeContext(context: RuntimeContext): void;
}

export abstract class AbstractRichFunction implements RichFunction {
  private runtimeContext: RuntimeContext | undefined;

  open(_openContext: OpenContext): void {}
  close(): void {}

  getRuntimeContext(): RuntimeContext {
    if (this.runtimeContext === undefined) {
      throw errors.unsupportedOperation(
        `The runtime context of ${this.constructor.name} is not set yet: use getRuntimeContext() in open() or later, not in the constructor.`,
      );
    }
    return this.runtimeContext;
  }

  setRuntimeContext(context: RuntimeContext): void {
    this.runtimeContext = context;
  }
}

export abstract class RichMapFunction<IN, OUT> extends AbstractRichFunction {
  abstract map(value: IN): OUT;
}

/** `out` is both a function and a Collector: `out(value)` and `out.collect(value)` emit alike. */
export type FlatMapCollector<OUT> = ((value: OUT) => void) & Collector<OUT>;

export abstract class RichFlatMapFunction<IN, OUT> extends AbstractRichFunction {
  abstract flatMap(value: IN, out: FlatMapCollector<OUT>): void;
}

export abstract class RichFilterFunction<T> extends AbstractRichFunction {
  abstract filter(value: T): boolean;
}

export abstract class RichReduceFunction<T> extends AbstractRichFunction {
  abstract reduce(accumulator: T, value: T): T;
}

/** True when `value` is a rich function object (has open, close and setRuntimeContext). */
export function isRichFunction(value: unknown): value is RichFunction {
  const v = value as Partial<RichFunction> | null;
  return v !== null && typeof v === 'object' && typeof v.open === 'function' && typeof v.close === 'function' && typeof v.setRuntimeContext === 'function';
}
