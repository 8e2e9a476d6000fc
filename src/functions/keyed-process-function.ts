/**
 * Flink's KeyedProcessFunction: `keyBy(...).process(fn)`. Like ProcessFunction, plus the current
 * key (`ctx.getCurrentKey()`), timers per key (`ctx.timerService()`) that call `onTimer`, and
 * keyed state through `getRuntimeContext()`; both the state and the timers are scoped to the key
 * of the element or the timer.
 */
import type { Collector } from './collector.js';
import type { ProcessContext, ProcessOnTimerContext } from './process-function.js';
import { AbstractRichFunction } from './rich-function.js';

export interface KeyedProcessContext<K> extends ProcessContext {
  getCurrentKey(): K;
}

export interface KeyedProcessOnTimerContext<K> extends ProcessOnTimerContext {
  getCurrentKey(): K;
}

export abstract class KeyedProcessFunction<K, I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  /** Called when a timer of the current key fires, at `timestamp` (the time it was set for). */
  onTimer(_timestamp: number, _ctx: KeyedProcessOnTimerContext<K>, _out: Collector<O>): void {}
}
