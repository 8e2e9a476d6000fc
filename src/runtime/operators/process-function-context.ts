/**
 * The one context object a process operator hands its function, for elements and for timers
 * (Flink's ContextImpl and OnTimerContextImpl in one): the timestamp being processed, the time
 * service, side outputs, the current key (keyed streams) and, in `onTimer`, the time domain.
 * The operator sets its fields before each call; nothing is allocated per record.
 */
import { errors } from '../../errors.js';
import type { KeyedProcessContext, KeyedProcessOnTimerContext } from '../../functions/keyed-process-function.js';
import { OutputTag } from '../../functions/output-tag.js';
import { TimeDomain, type TimerService } from '../../functions/timer-service.js';
import type { Output } from './output.js';
import { NO_TIMESTAMP } from './stream-operator.js';
import type { TimestampedCollector } from './timestamped-collector.js';

export class ProcessFunctionContext implements KeyedProcessContext<unknown>, KeyedProcessOnTimerContext<unknown> {
  /** The domain of the firing timer; undefined while an element is processed. */
  domain: TimeDomain | undefined = undefined;

  constructor(
    private readonly operatorName: string,
    private readonly collector: TimestampedCollector,
    private readonly sink: Output,
    private readonly timers: TimerService,
    /** The current key, or undefined on a non-keyed stream. */
    private readonly currentKey: (() => unknown) | undefined,
  ) {}

  timestamp(): number | null {
    const t = this.collector.timestamp;
    return t === NO_TIMESTAMP ? null : t;
  }

  timerService(): TimerService {
    return this.timers;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    if (!(tag instanceof OutputTag)) throw errors.invalidArgumentType(`side output tag in '${this.operatorName}'`, tag, 'expected an OutputTag');
    const collector = this.collector;
    collector.downstream = true;
    collector.emitted++;
    this.sink.collectSide(tag, value, collector.timestamp);
    collector.downstream = false;
  }

  getCurrentKey(): unknown {
    if (this.currentKey === undefined) {
      throw errors.unsupportedOperation(`'${this.operatorName}' is not on a keyed stream, so it has no current key: use keyBy(...).process(...)`);
    }
    return this.currentKey();
  }

  timeDomain(): TimeDomain {
    if (this.domain === undefined) throw errors.unsupportedOperation('timeDomain() is only available in onTimer');
    return this.domain;
  }
}

/** TimeDomain by name, for the operators. */
export { TimeDomain };
