/**
 * `keyBy(...).process(KeyedProcessFunction)` (Flink's KeyedProcessOperator): per record, the
 * record's key is made current (for keyed state and timers) and `processElement` is called;
 * timers of the InternalTimerService call `onTimer` with the timer's key current. Results of an
 * element keep its timestamp; results of an event-time timer take the timer's time; results of
 * a processing-time timer have none (Flink erases it).
 *
 * A watermark first fires the event-time timers at or below it, then is forwarded, so the
 * timers' results come before the watermark downstream. Keyed state comes from the given
 * KeyedStateBackend; without one (`undefined`), the state getters throw.
 *
 * The constructor takes plain parts (an Output, a ProcessingTimeService, a backend), so the
 * operator runs without a task: the test harness drives it in the caller's thread.
 */
import { errors } from '../../errors.js';
import type { KeyedProcessFunction } from '../../functions/keyed-process-function.js';
import type { TimerService } from '../../functions/timer-service.js';
import { assignToKeyGroup, type KeyGroupRange } from '../../io/key-group-assignment.js';
import { VOID_NAMESPACE, type KeyedStateBackend, type KeyedStateStats, type VoidNamespace } from '../../state/keyed-state-backend.js';
import { InternalTimerService, type InternalTimer, type KeyContext, type Triggerable } from '../time/internal-timer-service.js';
import type { ProcessingTimeService } from '../time/processing-time-service.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import type { OneInputStreamOperator } from './one-input-stream-operator.js';
import type { Output } from './output.js';
import { ProcessFunctionContext, TimeDomain } from './process-function-context.js';
import { FINISH_AT_ONCE, MAX_WATERMARK, NO_TIMESTAMP, type FinishBudget, type StateInitializationContext } from './stream-operator.js';
import { StreamingRuntimeContext, type SubtaskInfo } from './streaming-runtime-context.js';
import { openRichFunction, closeRichFunction } from './rich-function-lifecycle.js';
import { TimestampedCollector } from './timestamped-collector.js';

export interface KeyedProcessOperatorOptions {
  /** The record's key (keyBy's selector). */
  readonly keySelector: (record: unknown) => unknown;
  readonly maxParallelism: number;
  /** The key groups of this subtask. */
  readonly keyGroupRange: KeyGroupRange;
  readonly processingTimeService: ProcessingTimeService;
  /** Keyed state; undefined: none (the state getters throw). */
  readonly stateBackend: KeyedStateBackend | undefined;
  readonly subtask: SubtaskInfo;
}

export class KeyedProcessOperator extends AbstractStreamOperator implements OneInputStreamOperator, KeyContext, Triggerable<unknown, VoidNamespace> {
  private readonly collector: TimestampedCollector;
  private readonly context: ProcessFunctionContext;
  /** The timers; `snapshot()`/`restore()` for tests and the checkpoint work. */
  readonly timerService: InternalTimerService<unknown, VoidNamespace>;
  private currentKey: unknown = undefined;
  /** MAX_WATERMARK arrived before `finish`, which forwards it after the last timer. */
  private maxWatermarkHeld = false;
  /** `finish` fired every event-time timer. */
  private finished = false;
  /** The current key's key group, computed on first use per key (-1: not yet). */
  private currentKeyGroup = -1;
  /** The keyed state's figures when the backend was disposed (the metrics read them after close). */
  private closedStats: KeyedStateStats | undefined;

  constructor(
    name: string,
    private readonly fn: KeyedProcessFunction<unknown, unknown, unknown>,
    private readonly options: KeyedProcessOperatorOptions,
    output: Output,
  ) {
    super(name, output);
    this.collector = new TimestampedCollector(output);
    this.timerService = new InternalTimerService<unknown, VoidNamespace>({
      processingTimeService: options.processingTimeService,
      keyContext: this,
      triggerable: this,
      keyGroupRange: options.keyGroupRange,
    });
    this.context = new ProcessFunctionContext(name, this.collector, output, this.userTimerService(), () => this.currentKey);
  }

  override initializeState(_context: StateInitializationContext): void {}

  override open(): void {
    openRichFunction({ fn: this.fn, context: new StreamingRuntimeContext(this.options.subtask, this.options.stateBackend, this.name) }, this.name);
  }

  override close(): void {
    this.timerService.close();
    try {
      closeRichFunction(this.fn, this.name);
    } finally {
      const backend = this.options.stateBackend;
      if (backend !== undefined && this.closedStats === undefined) {
        this.closedStats = backend.stats();
        backend.dispose();
      }
    }
  }

  /** The keyed state's entries and bytes (the last figures once closed); undefined without a backend. */
  stats(): KeyedStateStats | undefined {
    return this.closedStats ?? this.options.stateBackend?.stats();
  }

  setCurrentKey(key: unknown): void {
    this.currentKey = key;
    this.currentKeyGroup = -1;
    this.options.stateBackend?.setCurrentKey(key);
  }

  getCurrentKey(): unknown {
    return this.currentKey;
  }

  getCurrentKeyGroupIndex(): number {
    if (this.currentKeyGroup < 0) {
      const backend = this.options.stateBackend;
      this.currentKeyGroup = backend ? backend.getCurrentKeyGroupIndex() : assignToKeyGroup(this.currentKey, this.options.maxParallelism);
    }
    return this.currentKeyGroup;
  }

  processElement(value: unknown, timestamp: number): void {
    this.setCurrentKey(this.options.keySelector(value));
    this.collector.timestamp = timestamp;
    this.context.domain = undefined;
    try {
      this.fn.processElement(value, this.context, this.collector);
    } catch (cause) {
      throw this.collector.failure(this.name, 'processElement', cause);
    }
  }

  /**
   * Fires the event-time timers due, then forwards the watermark. MAX_WATERMARK (the end of the
   * input) may fire every timer at once, more than the output takes, so `finish` fires those in
   * bounded steps and forwards MAX_WATERMARK after the last. In BATCH the task hands
   * MAX_WATERMARK over only after `finish` (the finals come first): then it goes straight on.
   */
  override processWatermark(watermark: number): void {
    if (watermark === MAX_WATERMARK && !this.finished) {
      this.maxWatermarkHeld = true;
      return;
    }
    this.timerService.advanceWatermark(watermark);
    super.processWatermark(watermark);
  }

  /**
   * The end of input, which ends event time: fires the remaining event-time timers, at most about
   * `budget.maxRecords` results per call, then forwards MAX_WATERMARK if it arrived.
   */
  override finish(budget: FinishBudget = FINISH_AT_ONCE): boolean {
    const collector = this.collector;
    const stopAt = collector.emitted + budget.maxRecords;
    const done = this.timerService.advanceWatermark(MAX_WATERMARK, () => collector.emitted >= stopAt || budget.output.blocked !== 0);
    if (!done) return false;
    this.finished = true;
    if (this.maxWatermarkHeld) super.processWatermark(MAX_WATERMARK);
    return true;
  }

  onEventTime(timer: InternalTimer<unknown, VoidNamespace>): void {
    this.fire(timer.timestamp, timer.timestamp, TimeDomain.EVENT_TIME);
  }

  onProcessingTime(timer: InternalTimer<unknown, VoidNamespace>): void {
    this.fire(timer.timestamp, NO_TIMESTAMP, TimeDomain.PROCESSING_TIME);
  }

  private fire(time: number, resultTimestamp: number, domain: TimeDomain): void {
    this.collector.timestamp = resultTimestamp;
    this.context.domain = domain;
    try {
      this.fn.onTimer(time, this.context, this.collector);
    } catch (cause) {
      throw this.collector.failure(this.name, 'onTimer', cause);
    }
    this.context.domain = undefined;
  }

  /** What `ctx.timerService()` is: the InternalTimerService in the void namespace. */
  private userTimerService(): TimerService {
    const timers = this.timerService;
    return {
      currentProcessingTime: () => timers.currentProcessingTime(),
      currentWatermark: () => timers.currentWatermark(),
      registerEventTimeTimer: (time) => timers.registerEventTimeTimer(VOID_NAMESPACE, time),
      registerProcessingTimeTimer: (time) => timers.registerProcessingTimeTimer(VOID_NAMESPACE, time),
      deleteEventTimeTimer: (time) => timers.deleteEventTimeTimer(VOID_NAMESPACE, time),
      deleteProcessingTimeTimer: (time) => timers.deleteProcessingTimeTimer(VOID_NAMESPACE, time),
    };
  }
}
