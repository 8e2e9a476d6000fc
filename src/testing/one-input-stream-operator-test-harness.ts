/**
 * Flink's OneInputStreamOperatorTestHarness (flink-test-utils): runs one operator in the
 * caller's thread, without a task, workers or channels. The test feeds it elements and
 * watermarks, moves a manual processing-time clock, and reads what the operator emitted, in
 * order; it can snapshot the operator's keyed state and timers and restore them into a fresh
 * harness, also one playing another parallel instance (a rescale).
 *
 * The lifecycle is the task's: `initializeState(snapshot?)` (optional: `open()` does it), `open()`,
 * elements and watermarks, `endInput()` (the end of a bounded input: MAX_WATERMARK, then the
 * operator's finish), `close()`.
 *
 * The operator comes from a factory given the harness's parts (its Output, the manual
 * ProcessingTimeService, the subtask, and for keyed harnesses the key selector and a keyed
 * state backend), because strom's operators take their parts in the constructor.
 */
import { errors } from '../errors.js';
import type { OutputTag } from '../functions/output-tag.js';
import type { KeyGroupRange } from '../io/key-group-assignment.js';
import type { OneInputStreamOperator } from '../runtime/operators/one-input-stream-operator.js';
import type { Output } from '../runtime/operators/output.js';
import { FINISH_AT_ONCE, MAX_WATERMARK, NO_TIMESTAMP } from '../runtime/operators/stream-operator.js';
import type { SubtaskInfo } from '../runtime/operators/streaming-runtime-context.js';
import { InternalTimerService } from '../runtime/time/internal-timer-service.js';
import { ManualProcessingTimeService, type ProcessingTimeService } from '../runtime/time/processing-time-service.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';
import type { TypeInformation } from '../types/type-information.js';
import { HarnessOutput } from './harness-output.js';
import { resolveHarnessOptions, type HarnessOptions, type ResolvedHarnessOptions } from './harness-options.js';
import { createHarnessStateBackend } from './harness-state-backend.js';
import { repackageState, type OperatorSubtaskState } from './operator-subtask-state.js';
import { StreamRecord, Watermark, type OutputElement } from './stream-records.js';

/** What the operator factory gets: the harness's parts. */
export interface OperatorSetup {
  readonly output: Output;
  readonly processingTimeService: ProcessingTimeService;
  readonly subtask: SubtaskInfo;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Keyed harnesses: the record's key (the operator makes it current per element). */
  readonly keySelector: ((record: unknown) => unknown) | undefined;
  /** Keyed harnesses: the keyed state backend (the harness snapshots and restores it). */
  readonly stateBackend: KeyedStateBackend | undefined;
}

/** Makes the operator under test from the harness's parts. */
export type OperatorFactory<IN> = (setup: OperatorSetup) => OneInputStreamOperator<IN>;

/** @internal What a keyed harness adds. */
export interface KeyedHarnessSetup {
  readonly keySelector: (record: unknown) => unknown;
  readonly keyType: TypeInformation<unknown> | undefined;
}

type Phase = 'created' | 'initialized' | 'open' | 'ended' | 'closed';

export class OneInputStreamOperatorTestHarness<IN, OUT> {
  /** The operator under test. */
  readonly operator: OneInputStreamOperator<IN>;
  readonly #output = new HarnessOutput();
  readonly #clock: ManualProcessingTimeService;
  readonly #options: ResolvedHarnessOptions;
  readonly #stateBackend: KeyedStateBackend | undefined;
  #phase: Phase = 'created';

  /** Several subtasks' snapshots as one, to restore into fewer subtasks (Flink's static repackageState). */
  static repackageState = repackageState;

  /**
   * @param factory makes the operator from the harness's parts
   * @param options which parallel instance the harness plays, the clock's start, the state backend
   */
  constructor(factory: OperatorFactory<IN>, options: HarnessOptions = {}, /** @internal */ keyed?: KeyedHarnessSetup) {
    if (typeof factory !== 'function') {
      throw errors.invalidArgumentType('operator factory', factory, 'expected a function (setup) => operator; to test a function, use ProcessFunctionTestHarnesses');
    }
    const resolved = resolveHarnessOptions(options);
    this.#options = resolved;
    this.#clock = new ManualProcessingTimeService(resolved.processingTime);
    const name = options.operatorName ?? 'Operator';
    const subtask: SubtaskInfo = { taskName: name, subtaskIndex: resolved.subtaskIndex, parallelism: resolved.parallelism, maxParallelism: resolved.maxParallelism, attemptNumber: 0 };
    this.#stateBackend = keyed
      ? createHarnessStateBackend(resolved, `${name} (${resolved.subtaskIndex + 1}/${resolved.parallelism})`, keyed.keyType, () => this.#clock.getCurrentProcessingTime())
      : undefined;
    this.operator = factory({
      output: this.#output,
      processingTimeService: this.#clock,
      subtask,
      maxParallelism: resolved.maxParallelism,
      keyGroupRange: resolved.keyGroupRange,
      keySelector: keyed?.keySelector,
      stateBackend: this.#stateBackend,
    });
  }

  /** The key groups this harness's operator owns. */
  get keyGroupRange(): KeyGroupRange {
    return this.#options.keyGroupRange;
  }

  /**
   * Restores the operator from `snapshot` (from `snapshot()` of this or another harness, or
   * several packed with `repackageState`), keeping the key groups this harness owns; without a
   * snapshot, starts empty. Before `open()`, at most once.
   */
  initializeState(snapshot?: OperatorSubtaskState | readonly OperatorSubtaskState[]): void {
    if (this.#phase !== 'created') {
      throw errors.unsupportedOperation(`initializeState() must come first, once, before open(); this harness is ${this.#phase} already.`);
    }
    const state = snapshot === undefined ? undefined : Array.isArray(snapshot) ? repackageState(...snapshot) : (snapshot as OperatorSubtaskState);
    if (state !== undefined) this.#restore(state);
    this.operator.initializeState({ isRestored: state !== undefined });
    this.#phase = 'initialized';
  }

  /** Opens the operator (and its function), after `initializeState()` (called here when it was not). */
  open(): void {
    if (this.#phase === 'created') this.initializeState();
    if (this.#phase !== 'initialized') throw errors.unsupportedOperation(`open() is called once, before any element; this harness is ${this.#phase}.`);
    this.operator.open();
    this.#phase = 'open';
  }

  /** Processes one element, with its event timestamp (none when omitted), or a StreamRecord. */
  processElement(value: IN, timestamp?: number): void;
  processElement(record: StreamRecord<IN>): void;
  processElement(value: IN | StreamRecord<IN>, timestamp?: number): void {
    this.#checkOpen('processElement');
    if (value instanceof StreamRecord) {
      this.operator.processElement(value.value as IN, value.timestamp ?? NO_TIMESTAMP);
      return;
    }
    if (timestamp !== undefined && (typeof timestamp !== 'number' || Number.isNaN(timestamp))) {
      throw errors.invalidArgumentType('processElement timestamp', timestamp, 'expected epoch milliseconds (a number), or nothing for a record without a timestamp');
    }
    this.operator.processElement(value as IN, timestamp ?? NO_TIMESTAMP);
  }

  /**
   * Advances event time: the operator fires its event-time timers at or below `timestamp`, then
   * forwards the watermark. MAX_WATERMARK (Infinity) ends the input, as in a task: see `endInput()`.
   */
  processWatermark(timestamp: number | Watermark): void {
    const time = timestamp instanceof Watermark ? timestamp.timestamp : timestamp;
    this.#checkOpen('processWatermark');
    if (typeof time !== 'number' || Number.isNaN(time)) throw errors.invalidArgumentType('processWatermark timestamp', time, 'expected epoch milliseconds (a number)');
    if (time === MAX_WATERMARK) {
      this.endInput();
      return;
    }
    this.operator.processWatermark(time);
  }

  /** Moves the manual processing-time clock to `timestamp` (never back) and fires the processing-time timers due. */
  setProcessingTime(timestamp: number): void {
    if (this.#phase === 'closed') throw errors.unsupportedOperation('setProcessingTime() after close(): the operator cannot fire timers any more.');
    this.#clock.setCurrentTime(timestamp);
  }

  getProcessingTime(): number {
    return this.#clock.getCurrentProcessingTime();
  }

  /**
   * The end of a bounded input, as a task ends it in STREAMING mode: MAX_WATERMARK (every
   * event-time timer fires), then the operator's `finish` until it emitted everything. Pending
   * processing-time timers do not fire (a task drops them too). Idempotent.
   */
  endInput(): void {
    if (this.#phase === 'ended') return;
    this.#checkOpen('endInput');
    this.operator.processWatermark(MAX_WATERMARK);
    while (!this.operator.finish(FINISH_AT_ONCE));
    this.#phase = 'ended';
  }

  /** Closes the operator (and its function) and frees its state. Idempotent. */
  close(): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    try {
      this.operator.close();
    } finally {
      this.#clock.quiesce();
      this.#stateBackend?.dispose();
    }
  }

  /**
   * The operator's keyed state and timers now (Flink's `snapshot(checkpointId, timestamp)`), to
   * restore into a fresh harness with `initializeState(snapshot)`.
   */
  snapshot(checkpointId = 0): OperatorSubtaskState {
    if (this.#phase !== 'open' && this.#phase !== 'ended') throw errors.unsupportedOperation(`snapshot() needs an open operator; this harness is ${this.#phase}.`);
    this.operator.snapshotState(checkpointId);
    const timers = this.#timerService();
    return {
      maxParallelism: this.#options.maxParallelism,
      keyedState: this.#stateBackend ? [this.#stateBackend.snapshot()] : [],
      timers: timers ? [timers.snapshot()] : [],
    };
  }

  /** The main output so far, records and watermarks in emission order (the live list: clear it with `clearOutput()`). */
  getOutput(): OutputElement<OUT>[] {
    return this.#output.elements as OutputElement<OUT>[];
  }

  /** A copy of the main output so far: records with their timestamps, and watermarks, in emission order. */
  extractOutput(): OutputElement<OUT>[] {
    return [...this.getOutput()];
  }

  /** The records of the main output so far, without the watermarks. */
  extractOutputStreamRecords(): StreamRecord<OUT>[] {
    return this.getOutput().filter((e): e is StreamRecord<OUT> => e instanceof StreamRecord);
  }

  /** The values of the main output so far, in order. */
  extractOutputValues(): OUT[] {
    return this.extractOutputStreamRecords().map((r) => r.value);
  }

  /** The records emitted to side output `tag` so far (empty when none; Flink returns null). */
  getSideOutput<X>(tag: OutputTag<X>): StreamRecord<X>[] {
    return (this.#output.sideOutputs.get(tag.id) ?? []) as StreamRecord<X>[];
  }

  /** Forgets the output and side outputs so far. */
  clearOutput(): void {
    this.#output.elements.length = 0;
    this.#output.sideOutputs.clear();
  }

  /** Keyed state entries held ((state, key, namespace) triples; 0 for a non-keyed harness). */
  numKeyedStateEntries(): number {
    return this.#stateBackend?.stats().entries ?? 0;
  }

  numEventTimeTimers(): number {
    return this.#timerService()?.numEventTimeTimers() ?? 0;
  }

  numProcessingTimeTimers(): number {
    return this.#timerService()?.numProcessingTimeTimers() ?? 0;
  }

  /** The operator's timers, when it has them (a keyed operator's `timerService`). */
  #timerService(): InternalTimerService | undefined {
    const timers = (this.operator as { timerService?: unknown }).timerService;
    return timers instanceof InternalTimerService ? timers : undefined;
  }

  #restore(state: OperatorSubtaskState): void {
    if (state === null || typeof state !== 'object' || !Array.isArray(state.keyedState) || !Array.isArray(state.timers)) {
      throw errors.invalidArgumentType('initializeState snapshot', state, 'expected what harness.snapshot() returned (or an array of them)');
    }
    if (state.maxParallelism !== this.#options.maxParallelism) {
      throw errors.argumentOutOfRange(
        'snapshot max parallelism',
        state.maxParallelism,
        `this harness has maxParallelism ${this.#options.maxParallelism}; restore into a harness with the snapshot's maxParallelism (key groups cannot be renumbered)`,
      );
    }
    if (state.keyedState.length > 0) {
      if (this.#stateBackend === undefined) throw errors.unsupportedOperation('The snapshot holds keyed state, but this harness is not keyed: restore it into a keyed harness.');
      this.#stateBackend.restore(state.keyedState);
    }
    if (state.timers.length > 0) {
      const timers = this.#timerService();
      if (timers === undefined) throw errors.unsupportedOperation(`The snapshot holds timers, but the operator '${this.operator.name}' has no timer service to restore them into.`);
      timers.restore(state.timers);
    }
  }

  #checkOpen(method: string): void {
    if (this.#phase === 'open') return;
    if (this.#phase === 'created' || this.#phase === 'initialized') throw errors.unsupportedOperation(`${method}() before open(): call harness.open() first.`);
    throw errors.unsupportedOperation(`${method}() after ${this.#phase === 'ended' ? 'endInput()' : 'close()'}: the input has ended.`);
  }
}
