/**
 * Flink's ProcessFunction: the low-level function of a non-keyed stream. `processElement` sees
 * each record with its context (timestamp, side outputs, the time service) and emits any number
 * of results to `out`. Timers need a key: on a non-keyed stream `ctx.timerService()` reads the
 * times but registering a timer throws (use `keyBy(...).process(KeyedProcessFunction)`).
 */
import type { Collector } from './collector.js';
import type { OutputTag } from './output-tag.js';
import { AbstractRichFunction } from './rich-function.js';
import type { TimeDomain, TimerService } from './timer-service.js';

export interface ProcessContext {
  /** The timestamp of the element (or the firing timer), or null when it has none. */
  timestamp(): number | null;
  timerService(): TimerService;
  /** Emits `value` to the side output `tag` (read it with `getSideOutput(tag)` on the result). */
  output<X>(tag: OutputTag<X>, value: X): void;
}

export interface ProcessOnTimerContext extends ProcessContext {
  timeDomain(): TimeDomain;
}

export abstract class ProcessFunction<I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
  /** Called when a timer fires; non-keyed streams have no timers, so never in practice. */
  onTimer(_timestamp: number, _ctx: ProcessOnTimerContext, _out: Collector<O>): void {}
}
